package alvaria

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// maxBodyBytes bounds how much of an answer is read; Alvaria's bodies are a
// few hundred bytes.
const maxBodyBytes = 1 << 20

// call is one API operation, retried as a whole.
type call struct {
	op        string // "create session", used in errors
	endpoint  string // "create_session", told to the Observer
	method    string
	url       string
	sessionID string // sent as server-messaging-session-id when set
	body      []byte // JSON; nil for none
	repeat    repeat
}

// failure is why one try did not succeed and whether another may be made.
type failure struct {
	err           error // starts with the operation's name
	retry         bool
	retryAfter    time.Duration // the server's Retry-After, when hasRetryAfter
	hasRetryAfter bool
}

// do runs c until it succeeds, fails for good, runs out of attempts or ctx
// ends, and decodes a 2xx body into out when out is not nil.
//
// A 401 drops the cached token and tries once more with a fresh one; that
// extra try does not count against MaxAttempts, because the first was refused
// before Alvaria did anything.
//
// Before a retry it waits the server's Retry-After when given, otherwise an
// exponential backoff with full jitter. A Retry-After longer than MaxDelay
// ends the call at once with the APIError (its RetryAfter says how long):
// retrying earlier than asked would only be refused again, and waiting longer
// would hold the user's request for longer than we allow.
func (cl *Client) do(ctx context.Context, c call, out any) error {
	refreshed := false
	for attempt := 1; ; {
		f := cl.try(ctx, c, out)
		if f == nil {
			return nil
		}
		var apiErr *APIError
		if !refreshed && errors.As(f.err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized {
			refreshed = true
			continue
		}
		if !f.retry || ctx.Err() != nil {
			return f.err
		}
		if attempt >= cl.maxAttempts {
			return fmt.Errorf("%w (gave up after %d attempts)", f.err, attempt)
		}
		wait := backoff(attempt, cl.baseDelay, cl.maxDelay)
		if f.hasRetryAfter {
			if f.retryAfter > cl.maxDelay {
				return fmt.Errorf("%w (not retried: Retry-After %s exceeds MaxDelay %s)", f.err, f.retryAfter, cl.maxDelay)
			}
			wait = f.retryAfter
		}
		cl.observer.Retry(c.endpoint)
		if err := cl.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w (stopped retrying: %w)", f.err, err)
		}
		attempt++
	}
}

// try makes one request; nil means success.
func (cl *Client) try(ctx context.Context, c call, out any) *failure {
	tok, gen, err := cl.tokens.token(ctx)
	if err != nil {
		return &failure{
			err:   fmt.Errorf("%s: get access token: %w", c.op, err),
			retry: retryableTokenError(err),
		}
	}

	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return &failure{err: fmt.Errorf("%s: %w", c.op, err)}
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set(HeaderAPIKey, cl.apiKey)
	if c.sessionID != "" {
		req.Header.Set(HeaderSessionID, c.sessionID)
	}

	var sent sendTrace
	start := time.Now()
	resp, err := cl.http.Do(req.WithContext(httptrace.WithClientTrace(ctx, sent.clientTrace())))
	cl.observer.Request(c.endpoint, statusOf(resp), time.Since(start))
	if err != nil {
		err = fmt.Errorf("%s: %w", c.op, err)
		if c.repeat.oncePerEffect() && sent.mayHaveArrived(err) {
			return &failure{err: fmt.Errorf("%w: %w", err, ErrOutcomeUnknown)}
		}
		return &failure{err: err, retry: true}
	}
	defer resp.Body.Close()
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Alvaria has acted; whatever goes wrong now must not cause a retry.
		switch {
		case out == nil:
			return nil
		case readErr != nil:
			err = fmt.Errorf("%s: read %d answer: %w", c.op, resp.StatusCode, readErr)
		default:
			err = json.Unmarshal(respBody, out)
			if err == nil {
				return nil
			}
			err = fmt.Errorf("%s: decode %d answer %q: %w", c.op, resp.StatusCode, truncate(respBody), err)
		}
		if c.repeat.oncePerEffect() {
			err = fmt.Errorf("%w: %w", err, ErrOutcomeUnknown)
		}
		return &failure{err: err}
	}

	apiErr := &APIError{StatusCode: resp.StatusCode, Op: c.op}
	// A body that is not an ErrorResponse (a proxy's HTML page) is left out;
	// the status still says what happened.
	_ = json.Unmarshal(respBody, &apiErr.Response)
	f := &failure{err: apiErr}
	f.retryAfter, f.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), cl.now())
	if f.hasRetryAfter {
		apiErr.RetryAfter = f.retryAfter
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		cl.tokens.invalidate(gen)
	case c.repeat.retryableStatus(resp.StatusCode):
		f.retry = true
	case c.repeat.unknownOutcomeStatus(resp.StatusCode):
		f.err = fmt.Errorf("%w: %w", apiErr, ErrOutcomeUnknown)
	}
	return f
}

// sendTrace records how far a request got, to tell whether a failed request
// may have reached the server.
type sendTrace struct {
	traced atomic.Bool // the transport reported looking for a connection
	wrote  atomic.Bool // it started writing the request
}

func (s *sendTrace) clientTrace() *httptrace.ClientTrace {
	// Atomics because the transport writes the request on its own goroutine.
	return &httptrace.ClientTrace{
		GetConn:          func(string) { s.traced.Store(true) },
		WroteHeaderField: func(string, []string) { s.wrote.Store(true) },
		WroteHeaders:     func() { s.wrote.Store(true) },
	}
}

// mayHaveArrived is false only when the request certainly never reached the
// server: the connection could not be made, or the transport reported that it
// never began writing. A transport that reports nothing counts as "may have".
func (s *sendTrace) mayHaveArrived(err error) bool {
	if isDialError(err) {
		return false
	}
	return !s.traced.Load() || s.wrote.Load()
}

// truncate shortens a body for an error message.
func truncate(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
