package views

import (
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/store"
)

// senderLabel names who wrote a customer message: the Parley user who sent it
// as the customer, when known.
func senderLabel(m conversation.Message) string {
	if m.SenderID != "" {
		return "Customer · sent by " + m.SenderID
	}
	return "Customer"
}

func fieldErr(e *StartError, field string) string {
	if e == nil {
		return ""
	}
	return e.Fields[field]
}

// fromLabel names who wrote any message, for the printed transcript.
func fromLabel(m conversation.Message) string {
	switch m.Direction {
	case store.DirectionCustomer:
		return senderLabel(m)
	case store.DirectionAgent:
		return "Agent " + m.SenderID
	default:
		return "System"
	}
}
