package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-dev/parley/alvaria"
)

// maxBodyBytes bounds a request body. Server Messaging bodies are tiny:
// the longest valid one (alvaria.MaxTextChars of text and an attachment URL
// of alvaria.MaxAttachmentURLChars, every character \u-escaped) fits.
const maxBodyBytes = 64 << 10

// Longest values, in characters, of what an agent at the desk types; they
// travel in callbacks, so they are bounded like the API's fields.
const (
	MaxAgentAliasChars    = 64
	MaxStatusMessageChars = 1024
)

// Reasons used in ErrorDetail.Reason.
const (
	reasonRequired  = "required"
	reasonInvalid   = "invalid"
	reasonMalformed = "malformed"
	reasonNotFound  = "notFound"
	reasonTooLong   = "tooLong"
)

// readJSONBody checks the Content-Type and reads the body.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, []alvaria.ErrorDetail) {
	// The exact value is what clients send; parsing it allocates.
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && !isJSONMediaType(ct) {
		return nil, []alvaria.ErrorDetail{{Scope: "Content-Type", Reason: reasonInvalid, Message: "Content-Type must be application/json"}}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, []alvaria.ErrorDetail{{Scope: "body", Reason: reasonInvalid, Message: "request body is larger than 64 KiB"}}
	case err != nil:
		return nil, []alvaria.ErrorDetail{{Scope: "body", Reason: reasonMalformed, Message: "request body could not be read"}}
	}
	return body, nil
}

func isJSONMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// sessionIDHeader reads the server-messaging-session-id header.
func sessionIDHeader(r *http.Request) (string, []alvaria.ErrorDetail) {
	id := strings.TrimSpace(r.Header.Get(alvaria.HeaderSessionID))
	if id == "" {
		return "", []alvaria.ErrorDetail{{Scope: alvaria.HeaderSessionID, Reason: reasonRequired, Message: "the " + alvaria.HeaderSessionID + " header is required"}}
	}
	if d, long := tooLong(alvaria.HeaderSessionID, id, alvaria.MaxSessionIDChars); long {
		return "", []alvaria.ErrorDetail{d}
	}
	return id, nil
}

// decodeNewSession parses and checks a Create Session body.
func decodeNewSession(body []byte) (alvaria.NewSession, []alvaria.ErrorDetail) {
	var ns alvaria.NewSession
	if err := json.Unmarshal(body, &ns); err != nil {
		d, ok := describeDecodeError(err)
		if !ok {
			// The only field with its own decoder is workTypeId, whose
			// error says what is wrong with it.
			d = alvaria.ErrorDetail{Scope: "workTypeId", Reason: reasonInvalid, Message: err.Error()}
		}
		return ns, []alvaria.ErrorDetail{d}
	}
	var errs []alvaria.ErrorDetail
	if strings.TrimSpace(string(ns.WorkTypeID)) == "" {
		errs = append(errs, required("workTypeId"))
	}
	if strings.TrimSpace(ns.ContactName) == "" {
		errs = append(errs, required("contactName"))
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"workTypeId", string(ns.WorkTypeID), alvaria.MaxWorkTypeIDChars},
		{"contactName", ns.ContactName, alvaria.MaxContactNameChars},
		{"integration", ns.Integration, alvaria.MaxIntegrationChars},
	} {
		if d, long := tooLong(f.name, f.value, f.max); long {
			errs = append(errs, d)
		}
	}
	return ns, errs
}

// decodeMessage parses and checks a Send Message body.
func decodeMessage(body []byte) (alvaria.Message, []alvaria.ErrorDetail) {
	var m alvaria.Message
	if err := json.Unmarshal(body, &m); err != nil {
		d, ok := describeDecodeError(err)
		if !ok {
			d = alvaria.ErrorDetail{Scope: "body", Reason: reasonMalformed, Message: err.Error()}
		}
		return m, []alvaria.ErrorDetail{d}
	}
	return m, validateMessage(m)
}

// validateMessage checks a message from the customer or an agent: it needs
// text or an attachment, and an attachment needs a known type and a URL
// Alvaria could fetch.
func validateMessage(m alvaria.Message) []alvaria.ErrorDetail {
	var errs []alvaria.ErrorDetail
	if d, long := tooLong("text", m.Text, alvaria.MaxTextChars); long {
		errs = append(errs, d)
	}
	a := m.Attachment
	if a == nil {
		if strings.TrimSpace(m.Text) == "" {
			return []alvaria.ErrorDetail{{Scope: "text", Reason: reasonRequired, Message: "text or attachment is required"}}
		}
		return errs
	}
	switch {
	case a.Type == "":
		errs = append(errs, required("attachment.type"))
	case !slices.Contains(alvaria.AttachmentTypes, a.Type):
		errs = append(errs, alvaria.ErrorDetail{Scope: "attachment.type", Reason: reasonInvalid,
			Message: "attachment.type must be one of " + strings.Join(alvaria.AttachmentTypes, ", ")})
	}
	if strings.TrimSpace(a.URL) == "" {
		errs = append(errs, required("attachment.url"))
	} else if d, long := tooLong("attachment.url", a.URL, alvaria.MaxAttachmentURLChars); long {
		errs = append(errs, d)
	} else if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		errs = append(errs, alvaria.ErrorDetail{Scope: "attachment.url", Reason: reasonInvalid,
			Message: "attachment.url must be an absolute http or https URL"})
	}
	return errs
}

// tooLong describes a value longer than max characters, the limits Parley's
// client enforces too (see alvaria.MaxContactNameChars and its neighbours).
func tooLong(field, value string, max int) (alvaria.ErrorDetail, bool) {
	if utf8.RuneCountInString(value) <= max {
		return alvaria.ErrorDetail{}, false
	}
	return alvaria.ErrorDetail{Scope: field, Reason: reasonTooLong,
		Message: field + " must be at most " + strconv.Itoa(max) + " characters"}, true
}

// deskField is one value an agent typed at the desk, with its limit.
type deskField struct {
	name, value string
	max         int
}

// deskInputTooLong reports the first desk value over its limit as an
// *alvaria.ValidationError, which the desk shows as the reason.
func deskInputTooLong(fields ...deskField) error {
	for _, f := range fields {
		if utf8.RuneCountInString(f.value) > f.max {
			return &alvaria.ValidationError{Field: f.name, Problem: "must be at most " + strconv.Itoa(f.max) + " characters"}
		}
	}
	return nil
}

func required(field string) alvaria.ErrorDetail {
	return alvaria.ErrorDetail{Scope: field, Reason: reasonRequired, Message: field + " is required"}
}

// describeDecodeError names the field a JSON error is about; ok is false for
// errors from a type's own decoder, which the caller knows better.
func describeDecodeError(err error) (alvaria.ErrorDetail, bool) {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return alvaria.ErrorDetail{Scope: "body", Reason: reasonMalformed, Message: "request body is not valid JSON"}, true
	case errors.As(err, &typ) && typ.Field != "":
		return alvaria.ErrorDetail{Scope: typ.Field, Reason: reasonInvalid,
			Message: typ.Field + " must be " + alvaria.JSONKind(typ.Type) + ", not a JSON " + typ.Value}, true
	case errors.As(err, &typ):
		return alvaria.ErrorDetail{Scope: "body", Reason: reasonInvalid, Message: "request body must be a JSON object"}, true
	}
	return alvaria.ErrorDetail{}, false
}
