package conversation

import (
	"context"
	"fmt"
	"time"
)

// StoredCallbackSweep is how often SweepStoredCallbacks looks for
// callbacks stored and not applied, and StoredCallbackGrace how old they
// must be, so that an applier still at work is not raced for nothing.
const (
	StoredCallbackSweep = 30 * time.Second
	StoredCallbackGrace = 10 * time.Second
)

// ApplyStoredCallbacks applies the callbacks that were stored before
// `before` and never applied, which only a crash between the inbox's store
// and its apply leaves behind, and reports for how many sessions. serve
// runs it at start and then every little while, so that one instance
// applies what another stored before it died.
func (svc *Service) ApplyStoredCallbacks(ctx context.Context, before time.Time) (int, error) {
	total := 0
	seen := make(map[string]bool)
	for {
		ids, err := svc.store.AlvariaSessionsWithStoredCallbacks(ctx, before, maxApplySessions)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		for _, id := range ids {
			if seen[id] {
				// Applied once in this sweep and listed again: something
				// keeps it from applying; retrying now would loop.
				return total, fmt.Errorf("apply stored callbacks: the callbacks of Alvaria session %s stay unapplied", id)
			}
			seen[id] = true
		}
		if err := svc.applyStored(ctx, ids); err != nil {
			return total, err
		}
		total += len(ids)
	}
}

// SweepStoredCallbacks applies, every StoredCallbackSweep until ctx ends,
// the callbacks stored over StoredCallbackGrace ago and never applied: what
// another instance stored before it died. Failures are logged; the next
// sweep tries again.
func (svc *Service) SweepStoredCallbacks(ctx context.Context) {
	tick := time.NewTicker(StoredCallbackSweep)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			svc.logStoredCallbacksApplied(svc.ApplyStoredCallbacks(ctx, svc.now().Add(-StoredCallbackGrace)))
		}
	}
}

// ApplyStoredCallbacksAtStart applies every callback stored and never
// applied, before anyone looks; serve calls it once at start.
func (svc *Service) ApplyStoredCallbacksAtStart(ctx context.Context) {
	svc.logStoredCallbacksApplied(svc.ApplyStoredCallbacks(ctx, svc.now()))
}

func (svc *Service) logStoredCallbacksApplied(n int, err error) {
	if err != nil {
		svc.log.Error("apply callbacks stored and not applied", "err", err)
	} else if n > 0 {
		svc.log.Info("applied callbacks stored and not applied", "sessions", n)
	}
}
