package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/parley-dev/parley/conversation"
)

// defaultIngestBacklog is a few seconds of applying on a small machine:
// enough to take a burst of callbacks at the speed of storing them, little
// enough that pages are never long behind.
const defaultIngestBacklog = 10_000

// maxIngestBacklog bounds the setting; the backlog's sessions are held in
// memory.
const maxIngestBacklog = 1_000_000

// storedCallbackSweep is how often an instance looks for callbacks another
// one stored and did not apply, and storedCallbackGrace how old they must
// be, so that an applier still at work is not raced for nothing.
const (
	storedCallbackSweep = 30 * time.Second
	storedCallbackGrace = 10 * time.Second
)

// applyStoredCallbacks applies the callbacks stored before `before` and
// never applied.
func applyStoredCallbacks(ctx context.Context, sessions *conversation.Service, before time.Time, log *slog.Logger) {
	if n, err := sessions.ApplyStoredCallbacks(ctx, before); err != nil {
		log.Error("apply callbacks stored and not applied", "err", err)
	} else if n > 0 {
		log.Info("applied callbacks stored and not applied", "sessions", n)
	}
}

// sweepStoredCallbacks runs applyStoredCallbacks every storedCallbackSweep
// until ctx ends.
func sweepStoredCallbacks(ctx context.Context, sessions *conversation.Service, log *slog.Logger) {
	tick := time.NewTicker(storedCallbackSweep)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			applyStoredCallbacks(ctx, sessions, time.Now().Add(-storedCallbackGrace), log)
		}
	}
}
