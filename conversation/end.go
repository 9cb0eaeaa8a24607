package conversation

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/store"
)

// EndSession asks Alvaria to disconnect the session. The session becomes
// Ended when Alvaria's SESSION_END arrives; if Alvaria no longer knows the
// session it is marked Ended at once.
func (svc *Service) EndSession(ctx context.Context, sessionID string, by accounts.Actor) error {
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return err
	}
	if !s.Live() {
		return nil
	}
	route, err := svc.route(ctx, s.ConnectionSlug)
	if err != nil {
		return fmt.Errorf("connection of session %s: %w", s.ID, err)
	}
	err = route.Client.DeleteSession(ctx, s.AlvariaSessionID)
	var apiErr *alvaria.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		err = svc.markEnded(ctx, s.ID, noteSessionForgotten)
	} else if err != nil {
		return alvariaError("end the session", err)
	} else {
		// Alvaria's SESSION_END follows; the session was ended by whoever
		// asked, whatever the callback says.
		err = svc.store.UpdateSession(ctx, s.ID, store.SessionUpdate{EndedBy: &by.Username})
	}
	if err == nil {
		svc.record(ctx, by, accounts.ActionSessionEnd, s.ID, "")
	}
	return err
}

// Who ended a session when it was not a person using Parley.
const (
	EndedByAlvaria = "Alvaria" // the agent or Alvaria's system
	EndedByParley  = "Parley"  // Parley marked it ended (Alvaria no longer knew it)
)

// noteSessionForgotten is the transcript's note when Alvaria answers 404 for
// a session Parley still shows as live.
const noteSessionForgotten = "Alvaria no longer knows this session; it was marked ended."

func (svc *Service) markEnded(ctx context.Context, sessionID, note string) error {
	now := svc.now()
	err := svc.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.UpdateSession(ctx, sessionID, store.SessionUpdate{State: ptr(store.SessionEnded), EndedAt: &now, EndedBy: ptr(EndedByParley), LastActivityAt: now}); err != nil {
			return err
		}
		return svc.note(ctx, tx, sessionID, note, "")
	})
	if err != nil {
		return fmt.Errorf("mark session %s ended: %w", sessionID, err)
	}
	svc.changed(ctx, sessionID)
	return nil
}

func ptr[T any](v T) *T { return &v }

// EndSessionsForgotten marks ended, with the note a send would leave, every
// live session on the connection that Alvaria's side does not know: after a
// restart the embedded simulator, which keeps its sessions in memory, knows
// none, and they would show Connected until a send failed. It reports how
// many it ended.
func (svc *Service) EndSessionsForgotten(ctx context.Context, connectionSlug string, knows func(alvariaSessionID string) bool) (int, error) {
	live, err := svc.store.ListLiveSessionsOn(ctx, connectionSlug)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range live {
		if knows(s.AlvariaSessionID) {
			continue
		}
		if err := svc.markEnded(ctx, s.ID, noteSessionForgotten); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
