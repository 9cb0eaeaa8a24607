package conversation

import (
	"time"

	"github.com/parley-dev/parley/store"
)

// Display states. They are the store's states plus Expired, which is derived:
// a session that Alvaria never reported as ended is gone after MaxLife anyway.
const (
	StatePending   = "Pending"
	StateActive    = "Active"
	StateConnected = "Connected"
	StateEnded     = "Ended"
	StateFailed    = "Failed"
	StateExpired   = "Expired"
)

// Session is a session as people see it and exports carry it.
type Session struct {
	ID               string // a UUIDv7, so ids sort by creation
	AlvariaSessionID string
	Connection       string // the name of the connection it ran on, as it was then
	ConnectionSlug   string // that connection's slug; empty before connections
	WorkTypeID       string
	ContactName      string
	Integration      string
	State            string // as stored; Status is what people read
	StateDetail      string // why it failed, in Alvaria's words
	AgentAlias       string
	StartedBy        string
	MessageCount     int // customer and agent messages, not system notes
	Seq              int64
	CreatedAt        time.Time
	LastActivityAt   time.Time
	EndedAt          *time.Time
	EndedBy          string // a username, "Alvaria" or "Parley"; empty while live
	Verdict          string // one of Verdicts, or empty
	ReviewNotes      string
	ReviewedBy       string
	ReviewedAt       *time.Time
	// Status is the display state, one of the State* constants.
	Status    string
	ExpiresAt time.Time
	// RunID is the conversation-test run that drove the session, if any.
	RunID *int64
}

// Live reports whether the customer can still write in the session.
func (s Session) Live() bool {
	return s.Status == StatePending || s.Status == StateActive || s.Status == StateConnected
}

func (svc *Service) present(s store.Session) Session {
	return Session{
		ID: s.ID, AlvariaSessionID: s.AlvariaSessionID, Connection: s.Connection, ConnectionSlug: s.ConnectionSlug, WorkTypeID: s.WorkTypeID,
		ContactName: s.ContactName, Integration: s.Integration, State: s.State, StateDetail: s.StateDetail,
		AgentAlias: s.AgentAlias, StartedBy: s.StartedBy, MessageCount: s.MessageCount, Seq: s.Seq,
		CreatedAt: s.CreatedAt, LastActivityAt: s.LastActivityAt, EndedAt: s.EndedAt, EndedBy: s.EndedBy, Verdict: s.Verdict,
		ReviewNotes: s.ReviewNotes, ReviewedBy: s.ReviewedBy, ReviewedAt: s.ReviewedAt,
		Status: displayState(s, svc.now()), ExpiresAt: s.CreatedAt.Add(MaxLife), RunID: s.RunID,
	}
}

func displayState(s store.Session, now time.Time) string {
	switch s.State {
	case store.SessionEnded:
		return StateEnded
	case store.SessionFailed:
		return StateFailed
	}
	if !now.Before(s.CreatedAt.Add(MaxLife)) {
		return StateExpired
	}
	switch s.State {
	case store.SessionActive:
		return StateActive
	case store.SessionConnected:
		return StateConnected
	default:
		return StatePending
	}
}
