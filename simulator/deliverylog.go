package simulator

import (
	"context"
	"strings"
	"sync"
	"time"
)

// deliveryLogSize bounds the attempts kept in memory.
const deliveryLogSize = 2000

// Kinds of delivery attempt.
const (
	AttemptFirst      = "first"      // the event's first delivery
	AttemptRetry      = "retry"      // a scheduled retry after a failure
	AttemptDuplicate  = "duplicate"  // an extra copy injected by DuplicateRate
	AttemptRedelivery = "redelivery" // asked for by Redeliver
)

// DeliveryAttempt is one POST of a callback to the callback URL.
type DeliveryAttempt struct {
	Time      time.Time `json:"time"`
	EventID   string    `json:"eventId"`
	Event     string    `json:"event"`
	SessionID string    `json:"sessionId"`
	Attempt   int       `json:"attempt"` // 1 for the first; counts every POST of this event
	Kind      string    `json:"kind"`
	// StatusCode is the receiver's answer; 0 when there was none, and then
	// Error says why.
	StatusCode int    `json:"statusCode,omitempty"`
	Error      string `json:"error,omitempty"`
	LatencyMS  int64  `json:"latencyMs"`
	// NextAttempt is when the event will be tried again, if a retry is scheduled.
	NextAttempt *time.Time `json:"nextAttempt,omitempty"`
	// GaveUp is set on the last failed attempt once RetryFor has run out.
	GaveUp bool `json:"gaveUp,omitempty"`
	// Token is the JWT this attempt carried (each attempt signs its own);
	// Body is the JSON posted, the same on every attempt.
	Token string `json:"token,omitempty"`
	Body  string `json:"body,omitempty"`
}

// OK reports whether the receiver accepted this attempt.
func (a DeliveryAttempt) OK() bool { return a.StatusCode == 200 }

// RedactedSignature replaces a token's signature where the reader may see
// the token's claims but must not be able to replay it.
const RedactedSignature = "[signature redacted]"

// WithoutSignature returns the attempt with its token's signature (all
// after the second '.') replaced by RedactedSignature: the header and
// claims stay readable, but the token no longer verifies.
func (a DeliveryAttempt) WithoutSignature() DeliveryAttempt {
	if a.Token == "" {
		return a
	}
	first := strings.IndexByte(a.Token, '.')
	if first < 0 {
		a.Token = RedactedSignature
		return a
	}
	second := strings.IndexByte(a.Token[first+1:], '.')
	if second < 0 {
		a.Token = RedactedSignature
		return a
	}
	a.Token = a.Token[:first+1+second+1] + RedactedSignature
	return a
}

type withoutSignaturesKey struct{}

// WithoutTokenSignatures marks a request's context so that the delivery log
// served under it shows tokens WithoutSignature. The console sets it for
// people whose role does not play the agent.
func WithoutTokenSignatures(ctx context.Context) context.Context {
	return context.WithValue(ctx, withoutSignaturesKey{}, true)
}

func tokenSignaturesHidden(ctx context.Context) bool {
	hidden, _ := ctx.Value(withoutSignaturesKey{}).(bool)
	return hidden
}

// deliveryLog is a ring of the latest attempts.
// It grows as attempts come, rather than holding room for size of them from
// the start, so an idle simulator costs next to nothing.
type deliveryLog struct {
	mu   sync.Mutex
	size int
	buf  []DeliveryAttempt
	next int
}

func newDeliveryLog(size int) *deliveryLog {
	return &deliveryLog{size: size}
}

func (l *deliveryLog) add(a DeliveryAttempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) < l.size {
		l.buf = append(l.buf, a)
		return
	}
	l.buf[l.next] = a
	l.next = (l.next + 1) % len(l.buf)
}

// list returns the attempts newest first.
func (l *deliveryLog) list() []DeliveryAttempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]DeliveryAttempt, 0, len(l.buf))
	// The newest entry sits just before next once the ring is full, and at
	// the end before it is.
	n := len(l.buf)
	newest := n - 1
	if n == l.size {
		newest = (l.next - 1 + n) % n
	}
	for i := 0; i < n; i++ {
		out = append(out, l.buf[(newest-i+n)%n])
	}
	return out
}
