package alvaria

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// repeat says which failures a call may retry, because repeating some calls
// has a visible effect for the customer.
type repeat int

const (
	// repeatCreate is for CreateSession: a second request after the first
	// took effect would open a second session. An error answer from Alvaria
	// (429, 500, 502, 503) means no session was made, so it is repeated;
	// what is not is the case where the outcome is unknown: a timeout or
	// dropped connection after the request was sent, or a gateway's 504.
	repeatCreate repeat = iota
	// repeatSend is for SendMessage. Alvaria does not document
	// deduplicating messages, so a repeated send may show the customer's
	// message twice. It is repeated only when Alvaria certainly did not
	// take it: 429, or a request that never left (dial failed, connection
	// refused). Any 5xx leaves the outcome unknown.
	repeatSend
	// repeatFreely is for DeleteSession, which is idempotent.
	repeatFreely
)

// retryableStatus tells whether an answer with this status may be retried.
// 400, 401 (handled by the token refresh), 404 and 405 never are.
func (r repeat) retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable:
		return r != repeatSend
	case http.StatusGatewayTimeout:
		return r == repeatFreely
	}
	return false
}

// unknownOutcomeStatus tells whether a final answer leaves open whether a
// create or send took effect: a 5xx that is not retried for it.
func (r repeat) unknownOutcomeStatus(code int) bool {
	return r != repeatFreely && code >= 500 && !r.retryableStatus(code)
}

// oncePerEffect tells whether a call must not be repeated once the request
// may have reached Alvaria.
func (r repeat) oncePerEffect() bool { return r != repeatFreely }

// backoff returns the wait before retry number n (1 for the first retry):
// exponential from base, capped at max, with full jitter so that many
// clients failing together do not retry together.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max && d < math.MaxInt64/2; i++ {
		d *= 2
	}
	d = min(d, max)
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// A date in the past means no wait.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(h, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends. It refuses at once a wait that would
// outlast ctx's deadline, since the retry after it could never be made.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isDialError tells whether err happened while connecting, before any byte
// of the request was sent.
func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
