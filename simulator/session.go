package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// SessionState is where a session is in its life.
type SessionState string

// Session states.
const (
	SessionWaiting   SessionState = "waiting"   // open; no agent yet
	SessionConnected SessionState = "connected" // an agent is in the session
	SessionEnded     SessionState = "ended"
	SessionFailed    SessionState = "failed" // NEW_SESSION FAILED: it never opened
)

// Errors of the engine methods.
var (
	ErrUnknownSession = errors.New("unknown session")
	ErrSessionEnded   = errors.New("session has ended")
	ErrUnknownEvent   = errors.New("unknown event")
	ErrUnknownMessage = errors.New("unknown message")
	ErrNoAgent        = errors.New("no agent has joined the session")
)

// Status messages the simulator sends.
const (
	statusSessionGone = "Session does not exist"
	statusFailCommand = "Delivery failed (simulated by #fail)"
)

// Roles of transcript entries.
const (
	RoleCustomer = "customer" // sent through Send Message
	RoleAgent    = "agent"    // a MESSAGE callback from an agent
	RoleSystem   = "system"   // any other callback
)

// Entry is one line of a session's transcript: a customer message, or a
// callback sent about the session.
type Entry struct {
	Time       time.Time           `json:"time"`
	Role       string              `json:"role"`
	Sender     string              `json:"sender,omitempty"` // agent alias, contact name or SYSTEM
	Event      string              `json:"event,omitempty"`  // callback event name, MESSAGE for messages
	EventID    string              `json:"eventId,omitempty"`
	MessageID  string              `json:"messageId,omitempty"` // customer messages
	Text       string              `json:"text,omitempty"`
	Attachment *alvaria.Attachment `json:"attachment,omitempty"`
	Note       string              `json:"note,omitempty"`   // what a system event means, in words
	Failed     string              `json:"failed,omitempty"` // status message when a customer message was reported FAILED
}

// SessionInfo is a summary of one session.
type SessionInfo struct {
	ID          string       `json:"id"`
	ContactName string       `json:"contactName"`
	WorkTypeID  string       `json:"workTypeId"`
	Integration string       `json:"integration,omitempty"`
	State       SessionState `json:"state"`
	AgentAlias  string       `json:"agentAlias,omitempty"`
	TakenOver   bool         `json:"takenOver"`
	Created     time.Time    `json:"created"`
	LastMessage time.Time    `json:"lastMessage,omitzero"`
	// LastSaid is the latest message as "sender: text" (or the attachment
	// type), for lists.
	LastSaid string    `json:"lastSaid,omitempty"`
	Ended    time.Time `json:"ended,omitzero"`
	// Dropped counts the oldest transcript lines no longer kept, beyond
	// Config.TranscriptCap.
	Dropped int `json:"dropped,omitempty"`
}

type session struct {
	id          string
	contactName string
	workTypeID  string
	integration string
	state       SessionState
	agentAlias  string
	takenOver   bool
	created     time.Time
	lastMessage time.Time
	ended       time.Time
	// transcript holds at least the newest keep lines and at most twice
	// that: trimming in halves keeps an append cheap. lines() is the part
	// shown.
	transcript []Entry
	keep       int
	dropped    int     // lines removed from transcript, oldest first
	backlog    []Entry // customer messages that came while no agent was there
}

// lines is the transcript as shown: the newest keep lines.
func (sess *session) lines() []Entry {
	return sess.transcript[max(0, len(sess.transcript)-sess.keep):]
}

// droppedLines counts the lines older than lines().
func (sess *session) droppedLines() int {
	return sess.dropped + len(sess.transcript) - len(sess.lines())
}

func (sess *session) live() bool {
	return sess.state == SessionWaiting || sess.state == SessionConnected
}

func (sess *session) info() SessionInfo {
	return SessionInfo{
		ID: sess.id, ContactName: sess.contactName, WorkTypeID: sess.workTypeID, Integration: sess.integration,
		State: sess.state, AgentAlias: sess.agentAlias, TakenOver: sess.takenOver,
		Created: sess.created, LastMessage: sess.lastMessage, Ended: sess.ended, LastSaid: sess.lastSaid(),
		Dropped: sess.droppedLines(),
	}
}

func (sess *session) lastSaid() string {
	lines := sess.lines()
	for i := len(lines) - 1; i >= 0; i-- {
		e := lines[i]
		switch {
		case e.Text != "":
			return e.Sender + ": " + e.Text
		case e.Attachment != nil:
			return e.Sender + ": " + e.Attachment.Type
		}
	}
	return ""
}

// openSession creates a session for a Create Session request and sends
// NEW_SESSION; a work type the organization does not have fails it.
//
// Everything that touches nothing shared (the ids, the callback's JSON) is
// made before taking s.mu, and the agents' timers are set after it, so that
// concurrent creates wait on each other only for the map insert and the
// enqueue: nobody else can know the new id before it is returned.
func (s *Simulator) openSession(ns alvaria.NewSession) string {
	now := s.cfg.Now()
	sess := &session{
		id:          newID(),
		contactName: ns.ContactName,
		workTypeID:  strings.TrimSpace(string(ns.WorkTypeID)),
		integration: ns.Integration,
		state:       SessionWaiting,
		created:     now,
		keep:        s.cfg.TranscriptCap,
	}
	known := len(s.cfg.WorkTypes) == 0 || slices.Contains(s.cfg.WorkTypes, sess.workTypeID)
	var ev *event
	var e Entry
	if known {
		ev, e = newEvent(sess.id, &alvaria.NewSessionCallback{
			SessionID: sess.id, Event: alvaria.EventNewSession, Status: alvaria.StatusSuccess, EventID: newID(),
		}, Entry{Role: RoleSystem, Note: "The session was created."})
	} else {
		msg := fmt.Sprintf("Work type %s does not exist", sess.workTypeID)
		ev, e = newEvent(sess.id, &alvaria.NewSessionCallback{
			SessionID: sess.id, Event: alvaria.EventNewSession, Status: alvaria.StatusFailed, StatusMessage: msg, EventID: newID(),
		}, Entry{Role: RoleSystem, Note: "The session could not be created: " + msg + "."})
	}
	// Two lines at least: the NEW_SESSION and the agent's join.
	sess.transcript = make([]Entry, 0, 2)

	s.mu.Lock()
	s.sessions[sess.id] = sess
	s.pruneLocked()
	s.recordLocked(sess, ev, e)
	if !known {
		s.finishLocked(sess, SessionFailed)
	}
	s.mu.Unlock()

	if known {
		id := sess.id
		s.sched.after(s.cfg.AgentDelay, func() { s.autoJoin(id) })
		s.sched.after(s.cfg.SessionMaxLife, func() { s.expire(id) })
	}
	return sess.id
}

// deleteSession is Delete Session. A session already over is answered with
// a SESSION_END FAILED, since there was nothing left to end.
func (s *Simulator) deleteSession(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.lookupLocked(id)
	if sess == nil {
		return ErrUnknownSession
	}
	if !sess.live() {
		s.emitLocked(sess, &alvaria.SessionEndCallback{
			SessionID: id, Event: alvaria.EventSessionEnd, Status: alvaria.StatusFailed, EventID: newID(),
		}, Entry{Role: RoleSystem, Note: "The client asked to end a session that was already over."})
		return nil
	}
	// "from" is present only when Alvaria itself disconnects the session,
	// so a client's own Delete Session leaves it out.
	s.endLocked(sess, "", "The customer left the conversation.")
	return nil
}

// receiveMessage is Send Message. A message to a session that is over is
// accepted and then reported FAILED, as Alvaria does.
func (s *Simulator) receiveMessage(id string, m alvaria.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.lookupLocked(id)
	if sess == nil {
		return "", ErrUnknownSession
	}
	now := s.cfg.Now()
	e := Entry{Time: now, Role: RoleCustomer, Sender: sess.contactName, MessageID: newID(), Text: m.Text, Attachment: m.Attachment}
	if !sess.live() {
		e.Failed = statusSessionGone
		s.appendLocked(sess, e)
		s.failMessageLocked(sess, e.MessageID, statusSessionGone)
		return e.MessageID, nil
	}
	s.appendLocked(sess, e)
	sess.lastMessage = now
	s.changed(sess.id)
	if !sess.takenOver {
		s.sched.after(s.cfg.AgentDelay, func() { s.answer(id, e) })
	}
	return e.MessageID, nil
}

// expire ends a session that reached SessionMaxLife.
func (s *Simulator) expire(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess := s.sessions[id]; sess != nil && sess.live() {
		s.endLocked(sess, alvaria.FromSystem, "The session reached its maximum life and was ended.")
	}
}

// emitLocked records a callback in the transcript and queues its delivery.
// Queueing under s.mu is what puts a session's callbacks in the order they
// happened.
func (s *Simulator) emitLocked(sess *session, cb alvaria.Callback, e Entry) {
	ev, e := newEvent(sess.id, cb, e)
	s.recordLocked(sess, ev, e)
}

// newEvent is a callback's event, its body fixed, and its transcript line;
// it needs no lock.
func newEvent(sessionID string, cb alvaria.Callback, e Entry) (*event, Entry) {
	// The callback structs hold only strings, so Marshal cannot fail.
	body, _ := json.Marshal(cb)
	ev := &event{id: cb.CallbackEventID(), sessionID: sessionID, name: cb.CallbackEvent(), body: body}
	e.Event = ev.name
	e.EventID = ev.id
	return ev, e
}

// recordLocked is the shared half of emitLocked: the line, the event for
// Redeliver, and the delivery, in the session's order.
func (s *Simulator) recordLocked(sess *session, ev *event, e Entry) {
	e.Time = s.cfg.Now()
	s.events[ev.id] = ev
	s.appendLocked(sess, e)
	s.deliv.enqueue(job{ev: ev, kind: AttemptFirst})
	s.changed(sess.id)
}

// endLocked ends a live session with SESSION_END SUCCESS.
func (s *Simulator) endLocked(sess *session, from, note string) {
	s.emitLocked(sess, &alvaria.SessionEndCallback{
		SessionID: sess.id, Event: alvaria.EventSessionEnd, Status: alvaria.StatusSuccess, From: from, EventID: newID(),
	}, Entry{Role: RoleSystem, Sender: from, Note: note})
	s.finishLocked(sess, SessionEnded)
}

// finishLocked marks a session over and forgets the oldest ended sessions.
func (s *Simulator) finishLocked(sess *session, state SessionState) {
	sess.state = state
	sess.ended = s.cfg.Now()
	sess.backlog = nil
	s.endedOrder = append(s.endedOrder, sess.id)
	s.pruneLocked()
}

// lookupLocked finds a session, forgetting the expired ended ones first, so
// that a session past KeepEnded is unknown whether or not anything else
// happened since.
func (s *Simulator) lookupLocked(id string) *session {
	s.pruneLocked()
	return s.sessions[id]
}

// appendLocked adds a line to a session's transcript. Past twice the cap it
// drops the oldest lines down to the cap, with the events they record, so
// that a long session holds a bounded number of lines and events.
func (s *Simulator) appendLocked(sess *session, e Entry) {
	if len(sess.transcript) >= 2*sess.keep {
		n := len(sess.transcript) - sess.keep + 1
		s.forgetEventsLocked(sess.transcript[:n])
		kept := copy(sess.transcript, sess.transcript[n:])
		clear(sess.transcript[kept:]) // let the dropped attachments go
		sess.transcript = sess.transcript[:kept]
		sess.dropped += n
	}
	sess.transcript = append(sess.transcript, e)
}

// forgetEventsLocked forgets the events the lines record; Redeliver then
// calls them unknown. A delivery still pending keeps its own reference.
func (s *Simulator) forgetEventsLocked(lines []Entry) {
	for _, e := range lines {
		if e.EventID != "" {
			delete(s.events, e.EventID)
		}
	}
}

// pruneLocked forgets ended sessions older than KeepEnded, and the oldest
// beyond MaxEnded, with their events. Later calls about them get 404.
func (s *Simulator) pruneLocked() {
	now := s.cfg.Now()
	drop := 0
	for _, id := range s.endedOrder {
		sess := s.sessions[id]
		if sess != nil && len(s.endedOrder)-drop <= s.cfg.MaxEnded && now.Sub(sess.ended) < s.cfg.KeepEnded {
			break
		}
		if sess != nil {
			s.forgetEventsLocked(sess.transcript)
			delete(s.sessions, id)
		}
		drop++
	}
	if drop > 0 {
		s.endedOrder = slices.Delete(s.endedOrder, 0, drop)
	}
}

func (s *Simulator) failMessageLocked(sess *session, messageID, status string) {
	s.emitLocked(sess, &alvaria.MessageStatusCallback{
		SessionID: sess.id, Event: alvaria.EventMessageStatus, Status: alvaria.StatusFailed,
		MessageID: messageID, StatusMessage: status, EventID: newID(),
	}, Entry{Role: RoleSystem, MessageID: messageID, Note: "Message reported as failed: " + status})
	for i := range sess.transcript {
		if e := &sess.transcript[i]; e.Role == RoleCustomer && e.MessageID == messageID {
			e.Failed = status
		}
	}
}
