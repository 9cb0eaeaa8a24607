package simulator

import (
	"slices"
	"strings"

	"github.com/parley-dev/parley/alvaria"
)

// agentNames are the first names simulated agents go by.
var agentNames = []string{"Maria", "John", "Aisha", "Kenji", "Lucia", "Omar", "Sofia", "Liam"}

// Control words a customer can type to make the simulated agent act.
const (
	wordTransfer = "#transfer"
	wordEnd      = "#end"
	wordFail     = "#fail"
	wordQuiet    = "#quiet"
)

// pickAgent chooses an agent other than except.
func (s *Simulator) pickAgent(except string) string {
	for {
		if a := agentNames[s.dice.n(len(agentNames))]; a != except {
			return a
		}
	}
}

// EchoText is the simulated agent's answer to a customer's text.
func EchoText(text string) string { return `You said: "` + text + `"` }

// AttachmentAckText is the simulated agent's answer to an attachment sent
// without text.
func AttachmentAckText(attachmentType string) string {
	return "Thanks, I got your " + attachmentType + "."
}

// GreetingText is what a simulated agent says on joining.
func GreetingText(agent, contact string) string {
	return "Hi " + contact + ", this is " + agent + ". How can I help you today?"
}

// TakeoverText is what a simulated agent says when a transfer hands them the
// conversation.
func TakeoverText(agent, previous string) string {
	if previous == "" {
		return "Hi, this is " + agent + ". I'll take it from here."
	}
	return "Hi, this is " + agent + ". " + previous + " passed your conversation to me."
}

// autoJoin has a simulated agent join a session that has none, unless
// someone at the desk has taken it over.
func (s *Simulator) autoJoin(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[id]
	if sess == nil || !sess.live() || sess.takenOver || sess.agentAlias != "" {
		return
	}
	alias := s.pickAgent("")
	s.joinLocked(sess, alias)
	s.agentSaysLocked(sess, alvaria.Message{Text: GreetingText(alias, sess.contactName)})
}

// joinLocked sends AGENT_JOINED and, for the automatic agent, schedules the
// answers to messages that arrived while nobody was there.
func (s *Simulator) joinLocked(sess *session, alias string) {
	sess.agentAlias = alias
	sess.state = SessionConnected
	s.emitLocked(sess, &alvaria.AgentJoinedCallback{
		SessionID: sess.id, Event: alvaria.EventAgentJoined, AgentAlias: alias, EventID: newID(),
	}, Entry{Role: RoleSystem, Sender: alias, Note: alias + " joined the conversation."})
	s.flushBacklogLocked(sess)
}

func (s *Simulator) flushBacklogLocked(sess *session) {
	if sess.takenOver || sess.agentAlias == "" {
		return
	}
	id := sess.id
	for _, e := range sess.backlog {
		s.sched.after(s.cfg.AgentDelay, func() { s.answer(id, e) })
	}
	sess.backlog = nil
}

// answer is the simulated agent's response to one customer message: a
// control word's action, or an echo of the text, or a thank-you for an
// attachment.
func (s *Simulator) answer(id string, e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[id]
	if sess == nil || !sess.live() || sess.takenOver {
		return
	}
	if sess.agentAlias == "" {
		// Bounded like the transcript: an agent who comes after a flood
		// answers only the newest messages.
		if len(sess.backlog) >= sess.keep {
			sess.backlog = slices.Delete(sess.backlog, 0, len(sess.backlog)-sess.keep+1)
		}
		sess.backlog = append(sess.backlog, e)
		return
	}
	fields := strings.Fields(e.Text)
	word := ""
	if len(fields) > 0 {
		word = strings.ToLower(fields[0])
	}
	switch word {
	case wordTransfer:
		switch {
		case len(fields) >= 3 && strings.EqualFold(fields[1], "worktype"):
			s.rerouteLocked(sess, "", fields[2])
		case len(fields) >= 3 && strings.EqualFold(fields[1], "agent"):
			s.rerouteLocked(sess, strings.Join(fields[2:], " "), "")
		default:
			s.rerouteLocked(sess, s.pickAgent(sess.agentAlias), "")
		}
	case wordEnd:
		s.endLocked(sess, alvaria.FromSystem, sess.agentAlias+" ended the conversation.")
	case wordFail:
		s.failMessageLocked(sess, e.MessageID, statusFailCommand)
	case wordQuiet:
	default:
		if strings.TrimSpace(e.Text) != "" {
			s.agentSaysLocked(sess, alvaria.Message{Text: EchoText(e.Text)})
		} else if e.Attachment != nil {
			s.agentSaysLocked(sess, alvaria.Message{Text: AttachmentAckText(e.Attachment.Type)})
		}
	}
}

// rerouteLocked sends SESSION_REROUTE. To an agent, the session stays
// connected and the new simulated agent introduces themselves; to a work
// type only, it waits for that work type's agent to join.
func (s *Simulator) rerouteLocked(sess *session, alias, workTypeID string) {
	previous := sess.agentAlias
	if workTypeID != "" {
		sess.workTypeID = workTypeID
	}
	note := "Transferred to agent " + alias + "."
	if alias == "" {
		note = "Transferred to work type " + workTypeID + "."
	}
	s.emitLocked(sess, &alvaria.SessionRerouteCallback{
		SessionID: sess.id, Event: alvaria.EventSessionReroute, EventID: newID(), AgentAlias: alias, WorktypeID: alvaria.WorkTypeID(workTypeID),
	}, Entry{Role: RoleSystem, Sender: alias, Note: note})
	sess.agentAlias = alias
	if alias == "" {
		sess.state = SessionWaiting
		if !sess.takenOver {
			id := sess.id
			s.sched.after(s.cfg.AgentDelay, func() { s.autoJoin(id) })
		}
		return
	}
	sess.state = SessionConnected
	if !sess.takenOver {
		s.agentSaysLocked(sess, alvaria.Message{Text: TakeoverText(alias, previous)})
		s.flushBacklogLocked(sess)
	}
}

// agentSaysLocked sends a MESSAGE from the session's agent.
func (s *Simulator) agentSaysLocked(sess *session, m alvaria.Message) {
	sess.lastMessage = s.cfg.Now()
	s.emitLocked(sess, &alvaria.MessageCallback{
		SessionID: sess.id, SenderID: sess.agentAlias, Message: m, EventID: newID(),
	}, Entry{Role: RoleAgent, Sender: sess.agentAlias, Text: m.Text, Attachment: m.Attachment})
}
