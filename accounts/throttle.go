package accounts

import (
	"sync"
	"time"
)

// throttle slows password guessing: after a few failures for a username or
// from an address, each further try must wait, doubling up to a cap. It is
// in memory: a restart forgives, which is fine for slowing, not locking.
type throttle struct {
	mu    sync.Mutex
	now   func() time.Time
	fails map[string]*failures
}

type failures struct {
	count int
	until time.Time
	last  time.Time
}

const (
	freeFailures = 3
	maxWait      = 5 * time.Minute
	forgetAfter  = time.Hour
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, fails: map[string]*failures{}}
}

// wait returns how long the keys must still wait before another try.
func (t *throttle) wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var longest time.Duration
	for _, k := range keys {
		if f := t.fails[k]; f != nil && f.until.After(now) {
			longest = max(longest, f.until.Sub(now))
		}
	}
	return longest
}

func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, f := range t.fails {
		if now.Sub(f.last) > forgetAfter {
			delete(t.fails, k)
		}
	}
	for _, k := range keys {
		f := t.fails[k]
		if f == nil {
			f = &failures{}
			t.fails[k] = f
		}
		f.count++
		f.last = now
		if f.count > freeFailures {
			wait := time.Second << min(f.count-freeFailures-1, 16)
			f.until = now.Add(min(wait, maxWait))
		}
	}
}

func (t *throttle) succeed(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.fails, k)
	}
}
