package alvaria

import (
	"strings"
	"testing"
)

func TestRequestFieldsAreBounded(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // counted in characters, not bytes
	url := func(n int) string { return "https://x.example/" + strings.Repeat("a", n-len("https://x.example/")) }
	tests := []struct {
		name  string
		err   error
		field string // empty when valid
	}{
		{"contact name at the limit", NewSession{WorkTypeID: "32", ContactName: long(MaxContactNameChars)}.Validate(), ""},
		{"contact name too long", NewSession{WorkTypeID: "32", ContactName: long(MaxContactNameChars + 1)}.Validate(), "contactName"},
		{"work type at the limit", NewSession{WorkTypeID: WorkTypeID(long(MaxWorkTypeIDChars)), ContactName: "Ann"}.Validate(), ""},
		{"work type too long", NewSession{WorkTypeID: WorkTypeID(long(MaxWorkTypeIDChars + 1)), ContactName: "Ann"}.Validate(), "workTypeId"},
		{"integration at the limit", NewSession{WorkTypeID: "32", ContactName: "Ann", Integration: long(MaxIntegrationChars)}.Validate(), ""},
		{"integration too long", NewSession{WorkTypeID: "32", ContactName: "Ann", Integration: long(MaxIntegrationChars + 1)}.Validate(), "integration"},
		{"text at the limit", Message{Text: long(MaxTextChars)}.Validate(), ""},
		{"text too long", Message{Text: long(MaxTextChars + 1)}.Validate(), "text"},
		{"text too long beside an attachment", Message{Text: long(MaxTextChars + 1), Attachment: &Attachment{Type: AttachmentImage, URL: url(40)}}.Validate(), "text"},
		{"url at the limit", Message{Attachment: &Attachment{Type: AttachmentImage, URL: url(MaxAttachmentURLChars)}}.Validate(), ""},
		{"url too long", Message{Attachment: &Attachment{Type: AttachmentImage, URL: url(MaxAttachmentURLChars + 1)}}.Validate(), "attachment.url"},
		{"session id at the limit", validateSessionID(strings.Repeat("a", MaxSessionIDChars)), ""},
		{"session id too long", validateSessionID(strings.Repeat("a", MaxSessionIDChars+1)), "sessionId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkField(t, tt.err, tt.field)
		})
	}
}
