package conversation

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-dev/parley/store"
)

// SendingTimeout is how long a customer message may show "sending". A send
// that is still under way after it is as good as lost for the person
// watching, and one that a crash or a failed write interrupted never
// finishes at all.
const SendingTimeout = time.Minute

// Notes on messages whose send Parley lost track of.
const (
	detailAnswered = "Alvaria received it: the agent answered after it."
	detailUnknown  = "Parley lost track of this send (a restart or a failed write); Alvaria may or may not have received it. Check with the agent before sending it again."
)

// ReconcileSending settles every customer message left "sending": one the
// agent answered after was received; one older than SendingTimeout has an
// unknown outcome. It reports how many it settled. serve calls it at start;
// each callback does the same for its own session.
func (svc *Service) ReconcileSending(ctx context.Context) (int, error) {
	msgs, err := svc.store.ListSendingMessages(ctx, "")
	if err != nil {
		return 0, err
	}
	n := 0
	touched := map[string]bool{}
	for _, m := range msgs {
		changed, err := svc.settle(ctx, svc.store, m)
		if err != nil {
			return n, err
		}
		if changed {
			n++
			touched[m.SessionID] = true
		}
	}
	for id := range touched {
		svc.changed(ctx, id)
	}
	return n, nil
}

// settleAll settles a session's messages listed as sending, inside the
// callback transaction that may show they arrived.
func (svc *Service) settleAll(ctx context.Context, tx *store.Store, msgs []store.Message) error {
	for _, m := range msgs {
		if _, err := svc.settle(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// settle gives one sending message its status when the evidence allows,
// and reports whether it changed.
func (svc *Service) settle(ctx context.Context, st *store.Store, m store.Message) (bool, error) {
	answered, err := st.AgentAnsweredAfter(ctx, m.SessionID, m.ID)
	if err != nil {
		return false, err
	}
	status, detail := "", ""
	switch {
	case answered:
		status, detail = store.MessageSent, detailAnswered
	case stuck(m, svc.now()):
		status, detail = store.MessageUnknown, detailUnknown
	default:
		return false, nil // its send may still be under way
	}
	changed, err := st.ResolveSending(ctx, m.ID, status, detail)
	if err != nil {
		return false, fmt.Errorf("settle message %d: %w", m.ID, err)
	}
	if changed {
		svc.log.Warn("message left sending was settled", "message", m.ID, "session", m.SessionID, "status", status)
	}
	return changed, nil
}

// stuck tells whether a message has shown "sending" for too long.
func stuck(m store.Message, now time.Time) bool {
	return m.Status == store.MessageSending && !now.Before(m.CreatedAt.Add(SendingTimeout))
}

// presentMessages shows a message stuck in sending as of unknown outcome
// even before it is settled, so the page never invites a second send.
func presentMessages(ms []store.Message, now time.Time) []Message {
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = presentMessage(m, now)
	}
	return out
}

func presentMessage(m store.Message, now time.Time) Message {
	if stuck(m, now) {
		m.Status, m.StatusDetail = store.MessageUnknown, detailUnknown
	}
	return Message(m)
}
