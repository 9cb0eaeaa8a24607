package alvaria

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Validate reports the first field of a Create Session body that Alvaria
// would refuse, as a *ValidationError.
func (s NewSession) Validate() error {
	if strings.TrimSpace(string(s.WorkTypeID)) == "" {
		return &ValidationError{Field: "workTypeId", Problem: "is required"}
	}
	if strings.TrimSpace(s.ContactName) == "" {
		return &ValidationError{Field: "contactName", Problem: "is required"}
	}
	return tooLong(bounded{"workTypeId", string(s.WorkTypeID), MaxWorkTypeIDChars},
		bounded{"contactName", s.ContactName, MaxContactNameChars}, bounded{"integration", s.Integration, MaxIntegrationChars})
}

// Validate reports the first field of a Send Message body that Alvaria would
// refuse, as a *ValidationError.
func (m Message) Validate() error {
	if err := tooLong(bounded{"text", m.Text, MaxTextChars}); err != nil {
		return err
	}
	if m.Attachment == nil {
		if strings.TrimSpace(m.Text) == "" {
			return &ValidationError{Field: "text", Problem: "is required when there is no attachment"}
		}
		return nil
	}
	return m.Attachment.Validate()
}

// Validate checks the attachment type against the API's enumeration and that
// the URL is one Alvaria can fetch: absolute http or https with a host.
func (a Attachment) Validate() error {
	if a.Type == "" {
		return &ValidationError{Field: "attachment.type", Problem: "is required"}
	}
	if !slices.Contains(AttachmentTypes, a.Type) {
		return &ValidationError{Field: "attachment.type", Problem: "must be one of " + strings.Join(AttachmentTypes, ", ")}
	}
	if strings.TrimSpace(a.URL) == "" {
		return &ValidationError{Field: "attachment.url", Problem: "is required"}
	}
	if err := tooLong(bounded{"attachment.url", a.URL, MaxAttachmentURLChars}); err != nil {
		return err
	}
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return &ValidationError{Field: "attachment.url", Problem: "must start with http:// or https:// and name a host"}
	}
	return nil
}

// validateSessionID rejects ids that cannot be sent as a header value; an
// empty id would otherwise reach Alvaria as a 400 with a less clear message.
func validateSessionID(id string) error {
	if strings.TrimSpace(id) == "" {
		return &ValidationError{Field: "sessionId", Problem: "is required"}
	}
	if err := tooLong(bounded{"sessionId", id, MaxSessionIDChars}); err != nil {
		return err
	}
	if strings.ContainsFunc(id, unicode.IsControl) {
		return &ValidationError{Field: "sessionId", Problem: "must not contain control characters"}
	}
	return nil
}
