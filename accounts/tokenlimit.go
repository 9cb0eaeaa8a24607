package accounts

import (
	"sync"
	"time"
)

// tokenUsesPerMinute bounds how often one API token is used. A script
// following a run asks once a second; far more is a loop gone wrong or a
// leaked token, and every use writes an audit entry.
const tokenUsesPerMinute = 300

// tokenLimiter counts each token's uses in fixed one-minute windows, by the
// token's hash, so a revoked or unknown token is bounded too. It is in
// memory and per instance: it bounds a flood, it is not a quota.
type tokenLimiter struct {
	mu      sync.Mutex
	windows map[string]*tokenWindow
}

type tokenWindow struct {
	start time.Time
	uses  int
}

// maxTrackedTokens bounds the map; past it, windows that ended are dropped.
const maxTrackedTokens = 10000

func newTokenLimiter() *tokenLimiter { return &tokenLimiter{windows: map[string]*tokenWindow{}} }

// use counts one use of the token with this hash at now, or returns how
// long to wait when the token has had its share of this minute.
func (l *tokenLimiter) use(hash string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[hash]
	if w == nil || now.Sub(w.start) >= time.Minute {
		if w == nil && len(l.windows) >= maxTrackedTokens {
			for k, old := range l.windows {
				if now.Sub(old.start) >= time.Minute {
					delete(l.windows, k)
				}
			}
		}
		w = &tokenWindow{start: now}
		l.windows[hash] = w
	}
	if w.uses >= tokenUsesPerMinute {
		return w.start.Add(time.Minute).Sub(now)
	}
	w.uses++
	return 0
}
