package alvaria

import (
	"errors"
	"testing"
)

func TestNewSessionValidate(t *testing.T) {
	tests := []struct {
		name  string
		in    NewSession
		field string // empty when valid
	}{
		{"document example", NewSession{WorkTypeID: "32", ContactName: "Customer Name", Integration: "SMS"}, ""},
		{"no integration", NewSession{WorkTypeID: "32", ContactName: "Ann"}, ""},
		{"no work type", NewSession{ContactName: "Ann"}, "workTypeId"},
		{"blank work type", NewSession{WorkTypeID: "  ", ContactName: "Ann"}, "workTypeId"},
		{"no contact", NewSession{WorkTypeID: "32"}, "contactName"},
		{"blank contact", NewSession{WorkTypeID: "32", ContactName: "\t"}, "contactName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkField(t, tt.in.Validate(), tt.field)
		})
	}
}

func TestMessageValidate(t *testing.T) {
	att := func(typ, url string) *Attachment { return &Attachment{Type: typ, URL: url} }
	tests := []struct {
		name  string
		in    Message
		field string
	}{
		{"document example", testMessage, ""},
		{"text only", Message{Text: "hi"}, ""},
		{"attachment only", Message{Attachment: att(AttachmentFile, "https://x.example/a.pdf")}, ""},
		{"audio", Message{Attachment: att(AttachmentAudio, "https://x.example/a.mp3")}, ""},
		{"video", Message{Attachment: att(AttachmentVideo, "https://x.example/a.mp4")}, ""},
		{"empty", Message{}, "text"},
		{"blank text", Message{Text: " \n"}, "text"},
		{"no type", Message{Attachment: att("", "https://x.example/a")}, "attachment.type"},
		{"lower-case type", Message{Attachment: att("image", "https://x.example/a")}, "attachment.type"},
		{"unknown type", Message{Attachment: att("Gif", "https://x.example/a")}, "attachment.type"},
		{"no url", Message{Attachment: att(AttachmentImage, "")}, "attachment.url"},
		{"relative url", Message{Attachment: att(AttachmentImage, "/image.jpg")}, "attachment.url"},
		{"no scheme", Message{Attachment: att(AttachmentImage, "www.example.com/a.jpg")}, "attachment.url"},
		{"ftp", Message{Attachment: att(AttachmentImage, "ftp://example.com/a.jpg")}, "attachment.url"},
		{"javascript", Message{Attachment: att(AttachmentImage, "javascript:alert(1)")}, "attachment.url"},
		{"no host", Message{Attachment: att(AttachmentImage, "http:///a.jpg")}, "attachment.url"},
		{"port only", Message{Attachment: att(AttachmentImage, "http://:80/a.jpg")}, "attachment.url"},
		{"bad escape", Message{Attachment: att(AttachmentImage, "http://example.com/%zz")}, "attachment.url"},
		{"text and bad attachment", Message{Text: "hi", Attachment: att("Gif", "https://x.example/a")}, "attachment.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkField(t, tt.in.Validate(), tt.field)
		})
	}
}

func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != field {
		t.Fatalf("err = %v, want a ValidationError on %s", err, field)
	}
	if ve.Problem == "" {
		t.Error("no problem given")
	}
}
