package conversation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/store"
)

// CallbackInput is a callback whose JWT has been verified.
type CallbackInput struct {
	Body []byte
	// TokenEventID is the eventId claim of the callback's JWT, if any.
	TokenEventID string
	// Verification says how the JWT was verified, for the timeline.
	Verification string
}

// ErrTokenForOtherEvent means the JWT was signed for another event than the
// body carries: a valid token replayed with a different body.
var ErrTokenForOtherEvent = errors.New("the token's eventId does not match the body's")

// ReceiveCallback stores a verified callback once per eventId and applies it
// to its session. A repeat changes nothing. A callback for a session not yet
// stored (NEW_SESSION can beat the 202 of Create Session) is kept and applied
// when the session appears. A body that cannot be parsed is stored raw. It
// makes no outbound call, so Alvaria gets its answer at once. It returns
// the callback's kind for counting: its event ("MESSAGE" for messages),
// "other" for an event Parley does not know (so a stranger cannot invent
// metric labels), or "unreadable".
func (svc *Service) ReceiveCallback(ctx context.Context, in CallbackInput) (kind string, err error) {
	ev := store.CallbackEvent{
		Payload:      string(in.Body),
		Verified:     true,
		VerifyDetail: in.Verification,
		ReceivedAt:   svc.now(),
	}
	cb, parseErr := alvaria.ParseCallback(in.Body)
	kind = callbackKind(cb, parseErr)
	if parseErr != nil {
		sum := sha256.Sum256(in.Body)
		ev.EventID = "unparsed-" + hex.EncodeToString(sum[:12])
		ev.Type = "UNPARSED"
		ev.ParseError = parseErr.Error()
	} else {
		ev.EventID = cb.CallbackEventID()
		ev.Type = cb.CallbackEvent()
		ev.AlvariaSessionID = cb.CallbackSessionID()
	}
	// A token that names an event vouches for that event's body only; a
	// body that does not parse cannot be shown to be it.
	if in.TokenEventID != "" && (parseErr != nil || in.TokenEventID != ev.EventID) {
		return kind, ErrTokenForOtherEvent
	}

	var sessionID string
	var sent bool
	err = svc.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.LockAlvariaSession(ctx, ev.AlvariaSessionID); err != nil {
			return err
		}
		inserted, err := tx.InsertEvent(ctx, &ev)
		if err != nil || !inserted || ev.AlvariaSessionID == "" {
			return err
		}
		s, err := tx.GetSessionByAlvariaID(ctx, ev.AlvariaSessionID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // kept until StartSession stores the session
		}
		if err != nil {
			return err
		}
		sessionID = s.ID
		if err := svc.applyWaiting(ctx, tx, s.ID, ev.AlvariaSessionID); err != nil {
			return err
		}
		// What just arrived may show that a message left sending arrived.
		if err := svc.reconcileSession(ctx, tx, s.ID); err != nil {
			return err
		}
		sent, err = svc.announce(ctx, tx, s.ID)
		return err
	})
	if err != nil {
		return kind, fmt.Errorf("store callback %s: %w", ev.EventID, err)
	}
	switch {
	case sent:
		svc.announced(ctx, sessionID)
	case sessionID != "":
		svc.changed(ctx, sessionID)
	}
	return kind, nil
}

// callbackKind names a parsed callback for counting.
func callbackKind(cb alvaria.Callback, parseErr error) string {
	if parseErr != nil {
		return "unreadable"
	}
	if _, ok := cb.(*alvaria.UnknownCallback); ok {
		return "other"
	}
	return cb.CallbackEvent()
}

// applyWaiting applies, in arrival order, every stored callback of the
// session that has not been applied yet. Applying twice is impossible: an
// event is linked in the same transaction that applies it.
func (svc *Service) applyWaiting(ctx context.Context, tx *store.Store, sessionID, alvariaID string) error {
	events, err := tx.ListUnappliedEvents(ctx, alvariaID)
	if err != nil {
		return err
	}
	for _, ev := range events {
		applied, err := svc.apply(ctx, tx, sessionID, ev)
		if err != nil {
			return fmt.Errorf("apply %s %s: %w", ev.Type, ev.EventID, err)
		}
		if err := tx.LinkEvent(ctx, ev.ID, sessionID, applied); err != nil {
			return err
		}
	}
	return nil
}

// apply makes one callback's change to the session. It reports false when
// the event must wait (a MESSAGE_STATUS for a messageId not yet recorded).
func (svc *Service) apply(ctx context.Context, tx *store.Store, sessionID string, ev store.CallbackEvent) (bool, error) {
	cb, err := alvaria.ParseCallback([]byte(ev.Payload))
	if err != nil {
		return true, nil // stored raw; nothing to apply
	}
	now := svc.now()
	switch c := cb.(type) {
	case *alvaria.NewSessionCallback:
		if c.Status == alvaria.StatusFailed {
			detail := c.StatusMessage
			if detail == "" {
				detail = "Alvaria could not create the session."
			}
			return true, tx.UpdateSession(ctx, sessionID, store.SessionUpdate{State: ptr(store.SessionFailed), StateDetail: &detail, EndedAt: &now, LastActivityAt: now})
		}
		s, err := tx.GetSession(ctx, sessionID)
		if err != nil {
			return false, err
		}
		if s.State == store.SessionPending {
			return true, tx.UpdateSession(ctx, sessionID, store.SessionUpdate{State: ptr(store.SessionActive), LastActivityAt: now})
		}
		return true, nil
	case *alvaria.AgentJoinedCallback:
		if err := tx.UpdateSession(ctx, sessionID, store.SessionUpdate{State: ptr(store.SessionConnected), AgentAlias: &c.AgentAlias, LastActivityAt: now}); err != nil {
			return false, err
		}
		return true, svc.note(ctx, tx, sessionID, c.AgentAlias+" joined the conversation.", ev.EventID)
	case *alvaria.SessionRerouteCallback:
		u := store.SessionUpdate{LastActivityAt: now}
		text := "The conversation was transferred."
		switch {
		case c.AgentAlias != "":
			u.AgentAlias = &c.AgentAlias
			text = "Transferred to agent " + c.AgentAlias + "."
		case c.WorktypeID != "":
			u.WorkTypeID = ptr(string(c.WorktypeID))
			u.AgentAlias = ptr("")
			text = "Transferred to work type " + string(c.WorktypeID) + "."
		}
		if err := tx.UpdateSession(ctx, sessionID, u); err != nil {
			return false, err
		}
		return true, svc.note(ctx, tx, sessionID, text, ev.EventID)
	case *alvaria.SessionEndCallback:
		text := "The session ended."
		if c.From == alvaria.FromSystem {
			text = "Alvaria ended the session."
		}
		if c.Status == alvaria.StatusFailed {
			text = "Alvaria reported that ending the session failed."
			return true, svc.note(ctx, tx, sessionID, text, ev.EventID)
		}
		if err := tx.UpdateSession(ctx, sessionID, store.SessionUpdate{State: ptr(store.SessionEnded), EndedAt: &now, LastActivityAt: now}); err != nil {
			return false, err
		}
		return true, svc.note(ctx, tx, sessionID, text, ev.EventID)
	case *alvaria.MessageCallback:
		m := store.Message{
			SessionID: sessionID,
			Direction: store.DirectionAgent,
			SenderID:  c.SenderID,
			Text:      c.Message.Text,
			EventID:   ev.EventID,
			Status:    store.MessageReceived,
			CreatedAt: now,
		}
		if c.SenderID == alvaria.SenderSystem {
			m.Direction = store.DirectionSystem
		}
		if a := c.Message.Attachment; a != nil {
			m.AttachmentType, m.AttachmentURL = a.Type, a.URL
		}
		_, err := tx.AddMessage(ctx, &m)
		return err == nil, err
	case *alvaria.MessageStatusCallback:
		detail := c.StatusMessage
		if detail == "" {
			detail = "Alvaria reported the message as " + c.Status
		}
		_, err := tx.FailMessageByAlvariaID(ctx, sessionID, c.MessageID, detail)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	default:
		return true, nil // unknown events are kept in the timeline only
	}
}

// note adds a system line to the transcript.
func (svc *Service) note(ctx context.Context, tx *store.Store, sessionID, text, eventID string) error {
	m := store.Message{
		SessionID: sessionID,
		Direction: store.DirectionSystem,
		Text:      text,
		Status:    store.MessageReceived,
		CreatedAt: svc.now(),
	}
	if eventID != "" {
		m.EventID = "note-" + eventID
	}
	_, err := tx.AddMessage(ctx, &m)
	return err
}
