package views

import (
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
)

// The words of a session's page: what the Events panel filters by, the
// simulator's control words, and why a transcript is empty.

// CallbackEvents are the six callbacks Alvaria sends; the delivery log
// can be narrowed to one.
var CallbackEvents = []string{
	alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventMessageStatus,
	alvaria.EventSessionReroute, alvaria.EventSessionEnd,
}

// EventTypes are what the Events panel can be narrowed to: the callbacks,
// and those Parley stored raw because they did not parse.
var EventTypes = append(CallbackEvents[:len(CallbackEvents):len(CallbackEvents)], "UNPARSED")

// ControlWord is a chip that starts the message with a simulator control word.
type ControlWord struct {
	Label  string // what the chip shows
	Insert string // what it puts at the start of the message
	Does   string // what the simulated agent then does
}

// SimulatorControlWords are the words the simulated agent acts on when one
// is the first word of a customer's message (see the README).
var SimulatorControlWords = []ControlWord{
	{"#transfer", "#transfer", "Transfers to another agent"},
	{"#transfer worktype 45", "#transfer worktype 45", "Transfers to work type 45: an agent of that work type joins"},
	{"#transfer agent …", "#transfer agent ", "Transfers to the agent you name after it"},
	{"#end", "#end", "The agent ends the session"},
	{"#fail", "#fail", "Alvaria reports this message as failed"},
	{"#quiet", "#quiet", "The agent does not answer this message"},
}

// EmptyTranscript says why a session's transcript has nothing in it yet.
func EmptyTranscript(s conversation.Session) string {
	switch s.Status {
	case conversation.StateFailed:
		if s.StateDetail != "" {
			return "This session did not start: " + s.StateDetail
		}
		return "This session did not start."
	case conversation.StateEnded, conversation.StateExpired:
		return "This session ended before anyone wrote."
	default:
		return "No messages yet. The agent's greeting appears here when they join."
	}
}
