package views

import (
	"time"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
)

// Bubble is one message as MessageBubble shows it, whoever stored it. The
// console's messages and the simulator's transcript each have one function
// below that turns them into it, so a change to either type stays there.
type Bubble struct {
	ElementID      string // the element's id, for live updates to replace; empty for none
	Direction      string // "customer", "agent" or "system": the side and colour
	Sender         string // who wrote it, shown under it; empty shows nobody
	Text           string
	AttachmentType string
	AttachmentURL  string
	At             time.Time
	// Status is what became of the message (StatusSending…), shown under
	// the customer's messages; every value is kept in data-status.
	Status           string
	StatusDetail     string // why it failed, or why its outcome is unknown
	AlvariaMessageID string // Alvaria's id for a sent message
	MessageID        string // the simulator's id, which the desk may mark failed
	// AttachmentAsText shows the attachment's type and address instead of
	// the media, for paper.
	AttachmentAsText bool
}

// What became of a customer message, as a bubble shows it.
const (
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
	StatusUnknown = "unknown"
)

// BubbleOfMessage is a console message as a bubble.
func BubbleOfMessage(m conversation.Message) Bubble {
	b := Bubble{
		ElementID: MessageElementID(m.ID), Direction: m.Direction, Text: m.Text,
		AttachmentType: m.AttachmentType, AttachmentURL: m.AttachmentURL, At: m.CreatedAt,
		Status: m.Status, StatusDetail: m.StatusDetail, AlvariaMessageID: m.AlvariaMessageID,
	}
	switch m.Direction {
	case store.DirectionCustomer:
		b.Sender = senderLabel(m)
	case store.DirectionAgent:
		b.Sender = m.SenderID
	}
	return b
}

// BubbleOfEntry is an entry of the simulator's transcript, as the desk shows it.
func BubbleOfEntry(e simulator.Entry) Bubble {
	if e.Role == simulator.RoleSystem {
		return Bubble{Direction: e.Role, Text: e.Note, At: e.Time}
	}
	b := Bubble{Direction: e.Role, Sender: e.Sender, Text: e.Text, At: e.Time, MessageID: e.MessageID}
	if e.Attachment != nil {
		b.AttachmentType, b.AttachmentURL = e.Attachment.Type, e.Attachment.URL
	}
	if e.Failed != "" {
		b.Status, b.StatusDetail = StatusFailed, e.Failed
	}
	return b
}

// printedBubble is a console message on paper.
func printedBubble(m conversation.Message) Bubble {
	b := BubbleOfMessage(m)
	b.AttachmentAsText = true
	return b
}
