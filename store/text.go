package store

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// CleanText makes s storable in a text column on both engines: Postgres
// refuses NUL and invalid UTF-8 outright, which would make a callback that
// carries them fail to store on every retry. Each NUL and each run of
// invalid bytes becomes U+FFFD, so what was there stays visible.
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// cleanAll cleans each string in place.
func cleanAll(fields ...*string) {
	for _, f := range fields {
		*f = CleanText(*f)
	}
}

// cleanPayload keeps a callback body storable: when it holds bytes a text
// column cannot, Payload gets the cleaned text and PayloadBase64 the
// original bytes, so nothing Alvaria sent is lost.
func (ev *CallbackEvent) cleanPayload() {
	if clean := CleanText(ev.Payload); clean != ev.Payload {
		ev.PayloadBase64 = base64.StdEncoding.EncodeToString([]byte(ev.Payload))
		ev.Payload = clean
	}
	cleanAll(&ev.EventID, &ev.Type, &ev.AlvariaSessionID, &ev.VerifyDetail, &ev.ParseError)
}

// clean makes a message's text fields storable.
func (m *Message) clean() {
	cleanAll(&m.SenderID, &m.Text, &m.AttachmentType, &m.AttachmentURL, &m.AlvariaMessageID, &m.EventID, &m.StatusDetail)
}
