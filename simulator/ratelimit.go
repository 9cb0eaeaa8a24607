package simulator

import (
	"math"
	"sync"
	"time"
)

// rateLimiter is a token bucket per API key: each key may make rate
// requests a second on average and up to burst at once.
type rateLimiter struct {
	rate  float64 // tokens a second; 0 means unlimited
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64) *rateLimiter {
	// A burst of at least one, or a rate below 1/s would refuse everything.
	return &rateLimiter{rate: rate, burst: max(1, math.Ceil(rate)), buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says how long until one is free.
func (l *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l.rate == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// retryAfterSeconds renders a wait as a Retry-After value: whole seconds,
// rounded up and at least 1, so a client that obeys it is not refused again.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
