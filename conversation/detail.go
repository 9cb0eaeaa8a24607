package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-dev/parley/internal/readable"
	"github.com/parley-dev/parley/store"
)

// Event is a callback as the timeline shows it and a transcript exports it.
type Event struct {
	ID               int64
	EventID          string
	Type             string
	AlvariaSessionID string
	SessionID        *string // nil until the session it names is known
	Payload          string  // the body as received, or with U+FFFD for bytes text cannot hold
	PayloadBase64    string  // the original body, when Payload had to differ from it
	Verified         bool
	VerifyDetail     string
	ParseError       string
	Seq              int64
	ReceivedAt       time.Time
	AppliedAt        *time.Time
	// PrettyPayload is the raw JSON indented for reading, or the raw body
	// as received when it is not JSON; not exported, Payload is.
	PrettyPayload string `json:"-"`
	// Preview says in a few words what it carried, for the timeline.
	Preview string `json:"-"`
}

func presentEvent(e store.CallbackEvent) Event {
	return Event{
		ID: e.ID, EventID: e.EventID, Type: e.Type, AlvariaSessionID: e.AlvariaSessionID, SessionID: e.SessionID,
		Payload: e.Payload, PayloadBase64: e.PayloadBase64, Verified: e.Verified, VerifyDetail: e.VerifyDetail,
		ParseError: e.ParseError, Seq: e.Seq, ReceivedAt: e.ReceivedAt, AppliedAt: e.AppliedAt,
		PrettyPayload: readable.JSON(e.Payload), Preview: eventPreview(e.Payload),
	}
}

// Detail is everything a session's page shows, or, from Changes, what
// changed after a given sequence number.
type Detail struct {
	Session  Session
	Messages []Message
	Events   []Event
	// Seq is the session's change counter at the time of reading; a page
	// that has it asks for changes after it.
	Seq int64
	Now time.Time
	// Reviews is the QA review history; only SessionDetail and SessionPage
	// fill it.
	Reviews []ReviewChange
	// Window is how far back SessionPage reads; Earlier is the window of
	// its "Earlier" links, each id 0 when the first row is shown.
	Window  Window
	Earlier Window
	// Comments are QA's comments by message id, and Tags the session's
	// labels; SessionPage and SessionDetail fill them.
	Comments map[int64][]Comment
	Tags     []string
}

// PageSize is how many messages, and how many events, a session's page
// shows at first and adds with each "Earlier".
const PageSize = 100

// Window says how far back a session's page reaches: messages and events
// from these ids on, or the newest PageSize of each where an id is 0.
type Window struct {
	MessagesFrom int64
	EventsFrom   int64
}

// SessionPage returns what a session's page shows: the newest messages and
// events, or all from w on. New ones reach the page through Changes, so
// the window only ever reaches back.
func (svc *Service) SessionPage(ctx context.Context, sessionID string, w Window) (Detail, error) {
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Session: s, Seq: s.Seq, Now: svc.now(), Window: w}
	messages, earlier, err := svc.store.ListMessagesFrom(ctx, sessionID, w.MessagesFrom, PageSize)
	if err != nil {
		return Detail{}, err
	}
	d.Messages, d.Earlier.MessagesFrom = presentMessages(messages, d.Now), earlier
	events, earlier, err := svc.store.ListEventsFrom(ctx, sessionID, w.EventsFrom, PageSize)
	if err != nil {
		return Detail{}, err
	}
	for _, e := range events {
		d.Events = append(d.Events, presentEvent(e))
	}
	d.Earlier.EventsFrom = earlier
	reviews, err := svc.store.ListReviewChanges(ctx, sessionID)
	if err != nil {
		return d, fmt.Errorf("list reviews of %s: %w", sessionID, err)
	}
	d.Reviews = presentReviews(reviews)
	if d.Comments, d.Tags, err = svc.annotations(ctx, sessionID); err != nil {
		return d, fmt.Errorf("list comments and tags of %s: %w", sessionID, err)
	}
	return d, nil
}

// SessionDetail returns the whole session, every message and event, for
// its print view and exports.
func (svc *Service) SessionDetail(ctx context.Context, sessionID string) (Detail, error) {
	d, err := svc.Changes(ctx, sessionID, 0)
	if err != nil {
		return d, err
	}
	reviews, err := svc.store.ListReviewChanges(ctx, d.Session.ID)
	if err != nil {
		return d, fmt.Errorf("list reviews of %s: %w", sessionID, err)
	}
	d.Reviews = presentReviews(reviews)
	if d.Comments, d.Tags, err = svc.annotations(ctx, sessionID); err != nil {
		return d, fmt.Errorf("list comments and tags of %s: %w", sessionID, err)
	}
	return d, nil
}

// Changes returns the session and the messages and events that changed after
// seq. Pages call it after every notice and after a reconnect, so whatever
// happened while they were away appears, and appears once.
func (svc *Service) Changes(ctx context.Context, sessionID string, afterSeq int64) (Detail, error) {
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Session: s, Seq: s.Seq, Now: svc.now()}
	messages, err := svc.store.ListMessagesSince(ctx, sessionID, afterSeq)
	if err != nil {
		return Detail{}, fmt.Errorf("list messages of %s: %w", sessionID, err)
	}
	d.Messages = presentMessages(messages, d.Now)
	events, err := svc.store.ListEventsSince(ctx, sessionID, afterSeq)
	if err != nil {
		return Detail{}, fmt.Errorf("list events of %s: %w", sessionID, err)
	}
	for _, e := range events {
		d.Events = append(d.Events, presentEvent(e))
	}
	return d, nil
}

// Session returns one session for display.
func (svc *Service) Session(ctx context.Context, sessionID string) (Session, error) {
	return svc.session(ctx, sessionID)
}

func (svc *Service) session(ctx context.Context, sessionID string) (Session, error) {
	s, err := svc.store.GetSession(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("load session %s: %w", sessionID, err)
	}
	return svc.present(s), nil
}
