package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TurnKind is one kind of thing that happens in a conversation.
type TurnKind int

// The turns a recorded conversation is made of.
const (
	CustomerSaid TurnKind = iota + 1
	AgentJoinedTurn
	AgentSaid
	ReroutedTurn
	MessageFailedTurn
	CustomerEnded // Parley ended the session
	SystemEnded   // Alvaria ended it
)

// Turn is one thing that happened, as Record needs it.
type Turn struct {
	Kind           TurnKind
	Text           string
	AttachmentType string
	AttachmentURL  string
	WorkTypeID     string
	AgentAlias     string
}

// Recording is a finished conversation to turn into a script.
type Recording struct {
	Name        string
	Connection  string // the slug of the connection it ran on, if any
	WorkTypeID  string
	ContactName string
	Integration string
	Turns       []Turn
}

// containsWords is how many of an agent answer's first words a recorded
// expectation checks: enough to tell answers apart, few enough to survive
// small changes of wording.
const containsWords = 4

// Record writes a conversation as a script that replays it: each customer
// message a say or attach, each agent answer an agent_message expectation
// on its first words, reroutes and the end as expectations. Parse reads
// the result back.
func Record(r Recording) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", quote(r.Name))
	if r.Connection != "" {
		fmt.Fprintf(&b, "connection: %s\n", quote(r.Connection))
	}
	fmt.Fprintf(&b, "workTypeId: %s\n", quote(r.WorkTypeID))
	fmt.Fprintf(&b, "contactName: %s\n", quote(r.ContactName))
	if r.Integration != "" {
		fmt.Fprintf(&b, "integration: %s\n", quote(r.Integration))
	}
	b.WriteString("steps:\n")
	steps := 0
	ended := false
	for _, t := range r.Turns {
		if ended && t.Kind != SystemEnded {
			continue // nothing after the end can be replayed
		}
		switch t.Kind {
		case CustomerSaid:
			if t.AttachmentType != "" {
				fmt.Fprintf(&b, "  - attach: {type: %s, url: %s", quote(t.AttachmentType), quote(t.AttachmentURL))
				if t.Text != "" {
					fmt.Fprintf(&b, ", text: %s", quote(t.Text))
				}
				b.WriteString("}\n")
			} else if strings.TrimSpace(t.Text) != "" {
				fmt.Fprintf(&b, "  - say: %s\n", quote(t.Text))
			} else {
				continue
			}
		case AgentJoinedTurn:
			b.WriteString("  - expect: agent_joined\n")
		case AgentSaid:
			b.WriteString("  - expect: agent_message\n")
			if words := firstWords(t.Text); words != "" {
				fmt.Fprintf(&b, "    contains: %s\n", quote(words))
			} else if t.AttachmentType != "" {
				fmt.Fprintf(&b, "    # the agent sent a %s attachment\n", t.AttachmentType)
			}
		case ReroutedTurn:
			b.WriteString("  - expect: rerouted\n")
			if t.WorkTypeID != "" {
				fmt.Fprintf(&b, "    workTypeId: %s\n", quote(t.WorkTypeID))
			} else if t.AgentAlias != "" {
				fmt.Fprintf(&b, "    agentAlias: %s\n", quote(t.AgentAlias))
			}
		case MessageFailedTurn:
			b.WriteString("  - expect: message_failed\n")
		case CustomerEnded:
			b.WriteString("  - end: true\n  - expect: session_ended\n")
			ended = true
		case SystemEnded:
			if !ended {
				b.WriteString("  - expect: session_ended\n")
			}
			ended = true
		default:
			continue
		}
		steps++
	}
	if steps == 0 {
		b.WriteString("  - expect: agent_joined\n")
	}
	return []byte(b.String())
}

// firstWords gives the start of text up to the end of its first few words,
// as written (so it is contained in the text), bounded in length so a long
// answer does not make a long expectation.
func firstWords(text string) string {
	text = strings.TrimSpace(text)
	end, words, inWord := 0, 0, false
	for i, r := range text {
		space := unicode.IsSpace(r)
		if !space && !inWord {
			words++
			if words > containsWords {
				break
			}
		}
		if !space {
			end = i + utf8.RuneLen(r)
		}
		inWord = !space
	}
	out := text[:end]
	for utf8.RuneCountInString(out) > 60 {
		_, size := utf8.DecodeLastRuneInString(out)
		out = out[:len(out)-size]
	}
	return out
}

// quote writes a YAML double-quoted scalar. Go's escapes (\n, \t, \", \\,
// \xXX, \uXXXX) are all YAML escapes too.
func quote(s string) string { return strconv.Quote(s) }
