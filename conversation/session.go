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

// Session is a session as people see it.
type Session struct {
	store.Session
	// Status is the display state, one of the State* constants.
	Status    string
	ExpiresAt time.Time
}

// Live reports whether the customer can still write in the session.
func (s Session) Live() bool {
	return s.Status == StatePending || s.Status == StateActive || s.Status == StateConnected
}

func (svc *Service) present(s store.Session) Session {
	return Session{Session: s, Status: displayState(s, svc.now()), ExpiresAt: s.CreatedAt.Add(MaxLife)}
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
