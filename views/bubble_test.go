package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
)

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// One message, as the console stored it and as the simulator's transcript
// holds it, looks the same in the console, on the desk and on paper: each
// shows it through MessageBubble or its BubbleBody.
func TestConsoleDeskAndPrintShowAMessageThroughOneBubble(t *testing.T) {
	at := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	now := at.Add(3 * time.Minute)
	const text, image, why = "Here is the receipt", "https://example.com/receipt.png", "No agent took it"
	console := conversation.Message{
		ID: 7, Direction: store.DirectionCustomer, Text: text, AttachmentType: alvaria.AttachmentImage, AttachmentURL: image,
		Status: store.MessageFailed, StatusDetail: why, SenderID: "olive", CreatedAt: at,
	}
	desk := simulator.Entry{
		Time: at, Role: simulator.RoleCustomer, Sender: "Ada", MessageID: "m-1", Text: text,
		Attachment: &alvaria.Attachment{Type: alvaria.AttachmentImage, URL: image}, Failed: why,
	}

	body := render(t, BubbleBody(Bubble{Text: text, AttachmentType: alvaria.AttachmentImage, AttachmentURL: image}))
	status := `<span class="msg-status status-failed">failed: ` + why + `</span>`
	when := render(t, Time(at, now))
	pages := map[string]string{
		"console": render(t, MessageItem(console, now)),
		"desk":    render(t, DeskTranscript(DeskSessionData{Transcript: []simulator.Entry{desk}, Now: now})),
		"print":   render(t, PrintPage(conversation.Detail{Messages: []conversation.Message{console}})),
	}
	for name, page := range pages {
		if !strings.Contains(page, `<div class="bubble">`+text) {
			t.Errorf("%s does not show the message in its bubble:\n%s", name, page)
		}
	}
	// On paper the attachment is its address; on screen, the media.
	if want := `<div class="muted">` + alvaria.AttachmentImage + `: ` + image + `</div>`; !strings.Contains(pages["print"], want) {
		t.Errorf("print lacks %s\n%s", want, pages["print"])
	}
	for _, name := range []string{"console", "desk"} {
		page := pages[name]
		for _, want := range []string{body, `class="msg customer failed"`, `<div class="meta">`, when, status} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s\n%s", name, want, page)
			}
		}
	}
}

func TestBubbleOfEntryShowsTheSystemsNote(t *testing.T) {
	b := BubbleOfEntry(simulator.Entry{Role: simulator.RoleSystem, Sender: alvaria.FromSystem, Note: "The agent ended the conversation."})
	if b.Direction != "system" || b.Text != "The agent ended the conversation." || b.Sender != "" {
		t.Errorf("system entry = %+v", b)
	}
}
