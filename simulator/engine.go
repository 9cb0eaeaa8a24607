package simulator

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-dev/parley/alvaria"
)

// This file is the simulator's control surface for an agent desk and for
// tests: what a human agent or an operator of Alvaria could do to a session.

// Sessions lists the sessions the simulator remembers, newest first.
func (s *Simulator) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	out := make([]SessionInfo, 0, len(s.sessions))
	for _, sess := range s.sessions {
		out = append(out, sess.info())
	}
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// Session describes one session.
func (s *Simulator) Session(id string) (SessionInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.lookupLocked(id)
	if sess == nil {
		return SessionInfo{}, fmt.Errorf("session %s: %w", id, ErrUnknownSession)
	}
	return sess.info(), nil
}

// Transcript returns a copy of a session's transcript, oldest first. When
// older lines were dropped (Config.TranscriptCap), it starts with a system
// line saying how many, so that whoever reads it knows it is not whole.
func (s *Simulator) Transcript(id string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.lookupLocked(id)
	if sess == nil {
		return nil, fmt.Errorf("transcript %s: %w", id, ErrUnknownSession)
	}
	lines := sess.lines()
	out := make([]Entry, 0, len(lines)+1)
	if n := sess.droppedLines(); n > 0 {
		out = append(out, Entry{Time: lines[0].Time, Role: RoleSystem, Note: droppedNote(n, sess.keep)})
	}
	out = append(out, lines...)
	for i := range out {
		if a := out[i].Attachment; a != nil {
			c := *a
			out[i].Attachment = &c
		}
	}
	return out, nil
}

// droppedNote is the transcript's first line once older lines are dropped.
func droppedNote(n, keep int) string {
	if n == 1 {
		return fmt.Sprintf("1 earlier line was dropped; the simulator keeps the newest %d.", keep)
	}
	return fmt.Sprintf("%d earlier lines were dropped; the simulator keeps the newest %d.", n, keep)
}

// Join has an agent join the session (AGENT_JOINED); an empty alias picks
// one. It does not stop the automatic replies; TakeOver does.
func (s *Simulator) Join(id, alias string) error {
	if err := deskInputTooLong(deskField{"agentAlias", alias, MaxAgentAliasChars}); err != nil {
		return fmt.Errorf("join %s: %w", id, err)
	}
	return s.withLive("join", id, func(sess *session) error {
		alias = strings.TrimSpace(alias)
		if alias == "" {
			alias = s.pickAgent(sess.agentAlias)
		}
		s.joinLocked(sess, alias)
		return nil
	})
}

// AgentReply sends a MESSAGE from the session's agent.
func (s *Simulator) AgentReply(id string, m alvaria.Message) error {
	if errs := validateMessage(m); len(errs) > 0 {
		return fmt.Errorf("agent reply %s: %w", id, &alvaria.ValidationError{Field: errs[0].Scope, Problem: strings.TrimPrefix(errs[0].Message, errs[0].Scope+" ")})
	}
	return s.withLive("agent reply", id, func(sess *session) error {
		if sess.agentAlias == "" {
			return ErrNoAgent
		}
		s.agentSaysLocked(sess, m)
		return nil
	})
}

// Transfer sends SESSION_REROUTE to an agent, a work type, or both; with
// neither, to another agent of the simulator's choosing.
func (s *Simulator) Transfer(id, agentAlias, workTypeID string) error {
	if err := deskInputTooLong(deskField{"agentAlias", agentAlias, MaxAgentAliasChars},
		deskField{"worktypeId", workTypeID, alvaria.MaxWorkTypeIDChars}); err != nil {
		return fmt.Errorf("transfer %s: %w", id, err)
	}
	return s.withLive("transfer", id, func(sess *session) error {
		agentAlias, workTypeID = strings.TrimSpace(agentAlias), strings.TrimSpace(workTypeID)
		if agentAlias == "" && workTypeID == "" {
			agentAlias = s.pickAgent(sess.agentAlias)
		}
		s.rerouteLocked(sess, agentAlias, workTypeID)
		return nil
	})
}

// FailMessage reports a customer message as FAILED (MESSAGE_STATUS); an
// empty statusMessage gets a default.
func (s *Simulator) FailMessage(id, messageID, statusMessage string) error {
	if err := deskInputTooLong(deskField{"statusMessage", statusMessage, MaxStatusMessageChars}); err != nil {
		return fmt.Errorf("fail message %s: %w", id, err)
	}
	return s.withLive("fail message", id, func(sess *session) error {
		if !slices.ContainsFunc(sess.lines(), func(e Entry) bool { return e.Role == RoleCustomer && e.MessageID == messageID }) {
			return fmt.Errorf("message %s: %w", messageID, ErrUnknownMessage)
		}
		if strings.TrimSpace(statusMessage) == "" {
			statusMessage = "Message could not be delivered"
		}
		s.failMessageLocked(sess, messageID, statusMessage)
		return nil
	})
}

// End ends the session from Alvaria's side: SESSION_END from SYSTEM.
func (s *Simulator) End(id string) error {
	return s.withLive("end", id, func(sess *session) error {
		s.endLocked(sess, alvaria.FromSystem, "The agent ended the conversation.")
		return nil
	})
}

// TakeOver stops the automatic agent in this session, so that a person at
// the desk answers instead.
func (s *Simulator) TakeOver(id string) error {
	return s.withLive("take over", id, func(sess *session) error {
		sess.takenOver = true
		s.changed(sess.id)
		return nil
	})
}

// HandBack gives the session back to the automatic agent, which answers
// messages from then on and joins if no agent is there.
func (s *Simulator) HandBack(id string) error {
	return s.withLive("hand back", id, func(sess *session) error {
		sess.takenOver = false
		if sess.agentAlias == "" {
			s.sched.after(s.cfg.AgentDelay, func() { s.autoJoin(id) })
		}
		s.changed(sess.id)
		return nil
	})
}

// PauseDelivery holds every callback, new ones and retries, until
// ResumeDelivery. An attempt already in flight finishes.
func (s *Simulator) PauseDelivery() {
	s.deliv.pause(true)
	s.changed(DeliveriesKey)
}

// ResumeDelivery sends what was held, in order, and carries on.
func (s *Simulator) ResumeDelivery() {
	s.deliv.pause(false)
	s.changed(DeliveriesKey)
}

// DeliveryPaused reports whether PauseDelivery is in effect.
func (s *Simulator) DeliveryPaused() bool { return s.deliv.isPaused() }

// Redeliver sends an event once more, with the same eventId and body and a
// fresh token, as one extra attempt; it schedules no retries of its own.
func (s *Simulator) Redeliver(eventID string) error {
	s.mu.Lock()
	ev := s.events[eventID]
	s.mu.Unlock()
	if ev == nil {
		return fmt.Errorf("redeliver %s: %w", eventID, ErrUnknownEvent)
	}
	s.deliv.enqueue(job{ev: ev, kind: AttemptRedelivery})
	return nil
}

// Backlog is how many callback attempts are waiting to be made: queued,
// held back, or waiting for their retry. Past Config.BacklogLimit, Create
// Session and Send Message answer 429.
func (s *Simulator) Backlog() int { return s.deliv.backlog() }

// Deliveries returns the latest delivery attempts, newest first.
func (s *Simulator) Deliveries() []DeliveryAttempt { return s.dlog.list() }

// withLive runs fn on a session that is still open, under the lock.
func (s *Simulator) withLive(op, id string, fn func(*session) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.lookupLocked(id)
	if sess == nil {
		return fmt.Errorf("%s %s: %w", op, id, ErrUnknownSession)
	}
	if !sess.live() {
		return fmt.Errorf("%s %s: %w", op, id, ErrSessionEnded)
	}
	if err := fn(sess); err != nil {
		return fmt.Errorf("%s %s: %w", op, id, err)
	}
	return nil
}
