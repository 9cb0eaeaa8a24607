package conversation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

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

	p := &pendingCallback{ctx: ctx, ev: ev, done: make(chan error, 1)}
	if err := svc.ingest.submit(p); err != nil {
		return kind, fmt.Errorf("store callback %s: %w", ev.EventID, err)
	}
	return kind, nil
}

// commitCallbacks stores and applies a batch of callbacks in one
// transaction and answers each. When the batch fails, each callback is
// tried again alone, so that one bad callback fails its own request only.
func (svc *Service) commitCallbacks(batch []*pendingCallback) {
	waiting := batch[:0:0]
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- err // its caller has answered 503 already
			continue
		}
		waiting = append(waiting, p)
	}
	if len(waiting) == 0 {
		return
	}
	err := svc.commitBatch(waiting)
	if err == nil || len(waiting) == 1 {
		for _, p := range waiting {
			p.done <- err
		}
		return
	}
	svc.log.Warn("callback batch failed; committing its callbacks one by one", "callbacks", len(waiting), "err", err)
	for _, p := range waiting {
		p.done <- svc.commitBatch([]*pendingCallback{p})
	}
}

// storeCallbacks stores a batch for the applier and answers each callback
// as soon as it is stored. When the batch fails, each callback is tried
// again alone, as in commitCallbacks.
func (svc *Service) storeCallbacks(batch []*pendingCallback) stored {
	waiting := batch[:0:0]
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- err
			continue
		}
		waiting = append(waiting, p)
	}
	all := stored{counts: make(map[string]int)}
	if len(waiting) == 0 {
		return all
	}
	fresh, err := svc.storeBatch(waiting)
	if err == nil || len(waiting) == 1 {
		for _, p := range waiting {
			p.done <- err
		}
		return fresh
	}
	svc.log.Warn("callback batch failed; storing its callbacks one by one", "callbacks", len(waiting), "err", err)
	for _, p := range waiting {
		one, err := svc.storeBatch([]*pendingCallback{p})
		p.done <- err
		all.merge(one)
	}
	return all
}

// applyBacklog is the applier: it applies what the inbox stored for these
// Alvaria sessions. A failure leaves the callbacks stored; the next
// callback of the session or the sweep applies them.
func (svc *Service) applyBacklog(alvariaIDs []string) {
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	if err := svc.applyStored(ctx, alvariaIDs); err != nil {
		svc.log.Error("stored callbacks not applied yet; they will be at the sweep", "sessions", len(alvariaIDs), "err", err)
	}
}

// applyTimeout bounds one applier transaction.
const applyTimeout = 30 * time.Second

// commitBatch is one transaction: lock the batch's sessions, store every
// callback not stored before, apply what waits for each session that is
// known, and send the live notices at commit.
func (svc *Service) commitBatch(batch []*pendingCallback) error {
	ctx, cancel := batchContext(batch)
	defer cancel()
	var sessions []string
	var sent bool
	err := svc.store.Transaction(ctx, func(tx *store.Store) error {
		alvariaIDs := make([]string, len(batch))
		for i, p := range batch {
			alvariaIDs[i] = p.ev.AlvariaSessionID
		}
		if err := tx.LockAlvariaSessions(ctx, alvariaIDs); err != nil {
			return err
		}
		fresh, err := storeEvents(ctx, tx, batch)
		if err != nil {
			return err
		}
		sessions, sent, err = svc.applyStoredIn(ctx, tx, fresh.order)
		return err
	})
	if err != nil {
		return err
	}
	svc.tellApplied(ctx, sessions, sent)
	return nil
}

// storeBatch is the inbox's transaction: it only stores the batch's
// callbacks, and reports the Alvaria sessions that got new ones, for the
// applier. Their order per session is their ids' order, because a
// session's callbacks on one instance are stored by one shard, one batch
// after the other.
func (svc *Service) storeBatch(batch []*pendingCallback) (stored, error) {
	ctx, cancel := batchContext(batch)
	defer cancel()
	var fresh stored
	err := svc.store.Transaction(ctx, func(tx *store.Store) error {
		var err error
		fresh, err = storeEvents(ctx, tx, batch)
		return err
	})
	return fresh, err
}

// storeEvents inserts the batch's callbacks, each once per eventId.
func storeEvents(ctx context.Context, tx *store.Store, batch []*pendingCallback) (stored, error) {
	evs := make([]*store.CallbackEvent, len(batch))
	for i, p := range batch {
		evs[i] = &p.ev
	}
	inserted, err := tx.InsertEvents(ctx, evs)
	if err != nil {
		return stored{}, err
	}
	fresh := stored{counts: make(map[string]int)}
	for _, p := range batch {
		alvariaID := p.ev.AlvariaSessionID
		if alvariaID == "" || !inserted[p.ev.EventID] {
			continue
		}
		if fresh.counts[alvariaID] == 0 {
			fresh.order = append(fresh.order, alvariaID)
		}
		fresh.counts[alvariaID]++
	}
	return fresh, nil
}

// applyStored applies, in one transaction, every stored and unapplied
// callback of these Alvaria sessions: the applier's half of the inbox.
func (svc *Service) applyStored(ctx context.Context, alvariaIDs []string) error {
	var sessions []string
	var sent bool
	err := svc.store.Transaction(ctx, func(tx *store.Store) error {
		// The callbacks are durable already; if a crash undid this
		// transaction, the sweep would apply them again. So it need not
		// wait for the disk, which is what would hold the page's frame.
		if err := tx.CommitWithoutWaiting(ctx); err != nil {
			return err
		}
		if err := tx.LockAlvariaSessions(ctx, alvariaIDs); err != nil {
			return err
		}
		var err error
		sessions, sent, err = svc.applyStoredIn(ctx, tx, alvariaIDs)
		return err
	})
	if err != nil {
		return fmt.Errorf("apply stored callbacks of %d sessions: %w", len(alvariaIDs), err)
	}
	svc.tellApplied(ctx, sessions, sent)
	return nil
}

// applyStoredIn applies what waits for each of these Alvaria sessions that
// is known, inside tx, which holds their locks. It returns the sessions it
// changed and whether their notices go out with the commit.
func (svc *Service) applyStoredIn(ctx context.Context, tx *store.Store, alvariaIDs []string) ([]string, bool, error) {
	known, err := tx.SessionsByAlvariaIDs(ctx, alvariaIDs)
	if err != nil {
		return nil, false, err
	}
	unapplied, err := tx.UnappliedEventsOf(ctx, alvariaIDs)
	if err != nil {
		return nil, false, err
	}
	var sessions []string
	for _, alvariaID := range alvariaIDs {
		if s, ok := known[alvariaID]; ok && len(unapplied[alvariaID]) > 0 {
			sessions = append(sessions, s.ID)
		} // else kept until StartSession stores the session, or applied already
	}
	sending, err := tx.SendingMessagesOf(ctx, sessions)
	if err != nil {
		return nil, false, err
	}
	for _, alvariaID := range alvariaIDs {
		s, ok := known[alvariaID]
		if !ok || len(unapplied[alvariaID]) == 0 {
			continue
		}
		if err := svc.applyEvents(ctx, tx, s.ID, unapplied[alvariaID]); err != nil {
			return nil, false, err
		}
		// What just arrived may show that a message left sending arrived.
		if err := svc.settleAll(ctx, tx, sending[s.ID]); err != nil {
			return nil, false, err
		}
	}
	sent, err := svc.announce(ctx, tx, sessions...)
	return sessions, sent, err
}

// tellApplied tells this instance's pages about sessions a committed
// transaction changed.
func (svc *Service) tellApplied(ctx context.Context, sessions []string, sent bool) {
	for _, id := range sessions {
		if sent {
			svc.announced(ctx, id)
		} else {
			svc.changed(ctx, id)
		}
	}
}

// batchContext bounds a batch's transaction by the latest deadline among
// its callers, and is not cancelled with any one of them: the others still
// wait for its answer.
func batchContext(batch []*pendingCallback) (context.Context, context.CancelFunc) {
	var latest time.Time
	for _, p := range batch {
		if d, ok := p.ctx.Deadline(); ok && d.After(latest) {
			latest = d
		}
	}
	base := context.WithoutCancel(batch[0].ctx)
	if latest.IsZero() {
		return context.WithCancel(base)
	}
	return context.WithDeadline(base, latest)
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
	return svc.applyEvents(ctx, tx, sessionID, events)
}

// applyEvents applies a session's unapplied callbacks, listed in arrival
// order, and links them to it. The agents' messages of consecutive MESSAGE
// callbacks are added in one statement.
func (svc *Service) applyEvents(ctx context.Context, tx *store.Store, sessionID string, events []store.CallbackEvent) error {
	if len(events) == 0 {
		return nil
	}
	var applied, waiting []int64
	var messages []*store.Message
	flush := func() error {
		err := tx.AddMessages(ctx, messages)
		messages = messages[:0]
		return err
	}
	for _, ev := range events {
		cb, err := alvaria.ParseCallback([]byte(ev.Payload))
		if err != nil {
			applied = append(applied, ev.ID) // stored raw; nothing to apply
			continue
		}
		if c, ok := cb.(*alvaria.MessageCallback); ok {
			messages = append(messages, svc.agentMessage(sessionID, ev.EventID, c))
			applied = append(applied, ev.ID)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		ok, err := svc.apply(ctx, tx, sessionID, ev, cb)
		if err != nil {
			return fmt.Errorf("apply %s %s: %w", ev.Type, ev.EventID, err)
		}
		if ok {
			applied = append(applied, ev.ID)
		} else {
			waiting = append(waiting, ev.ID)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return tx.LinkEvents(ctx, sessionID, applied, waiting)
}

// agentMessage is the transcript line a MESSAGE callback adds.
func (svc *Service) agentMessage(sessionID, eventID string, c *alvaria.MessageCallback) *store.Message {
	m := &store.Message{
		SessionID: sessionID,
		Direction: store.DirectionAgent,
		SenderID:  c.SenderID,
		Text:      c.Message.Text,
		EventID:   eventID,
		Status:    store.MessageReceived,
		CreatedAt: svc.now(),
	}
	if c.SenderID == alvaria.SenderSystem {
		m.Direction = store.DirectionSystem
	}
	if a := c.Message.Attachment; a != nil {
		m.AttachmentType, m.AttachmentURL = a.Type, a.URL
	}
	return m
}

// apply makes one callback's change to the session. It reports false when
// the event must wait (a MESSAGE_STATUS for a messageId not yet recorded).
// MESSAGE callbacks are applied by applyEvents, several at a time.
func (svc *Service) apply(ctx context.Context, tx *store.Store, sessionID string, ev store.CallbackEvent, cb alvaria.Callback) (bool, error) {
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
		u := store.SessionUpdate{State: ptr(store.SessionEnded), EndedAt: &now, LastActivityAt: now}
		if c.From == alvaria.FromSystem {
			// Alvaria's side ended it; without From, it answers Parley's
			// DELETE, and EndSession names who asked.
			u.EndedBy = ptr(EndedByAlvaria)
		}
		if err := tx.UpdateSession(ctx, sessionID, u); err != nil {
			return false, err
		}
		return true, svc.note(ctx, tx, sessionID, text, ev.EventID)
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
