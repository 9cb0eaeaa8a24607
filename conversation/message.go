package conversation

import (
	"time"

	"github.com/parley-dev/parley/store"
)

// Message is one line of a transcript as the console shows and exports it.
// Its fields are the stored message's, so a transcript download keeps its
// shape; views and handlers see this type, never the database model.
type Message struct {
	ID               int64
	SessionID        string
	Direction        string // store.Direction*
	SenderID         string // the agent's senderId, or who typed a customer message
	Text             string
	AttachmentType   string
	AttachmentURL    string
	AlvariaMessageID string
	EventID          string // the callback that brought it, if any
	Status           string // store.Message*
	StatusDetail     string
	Seq              int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ReviewChange is one change of a session's QA review.
type ReviewChange struct {
	ID        int64
	SessionID string
	Verdict   string
	Notes     string
	Author    string
	At        time.Time
}

func presentReviews(rs []store.ReviewChange) []ReviewChange {
	out := make([]ReviewChange, len(rs))
	for i, r := range rs {
		out[i] = ReviewChange(r)
	}
	return out
}
