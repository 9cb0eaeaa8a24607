package alvaria

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrOutcomeUnknown marks a failed CreateSession or SendMessage whose request
// may still have taken effect at Alvaria, so it was not retried.
var ErrOutcomeUnknown = errors.New("the request may have reached Alvaria, so it was not retried")

// APIError is a non-2xx answer from the Server Messaging API.
type APIError struct {
	StatusCode int
	// Response is the parsed ErrorResponse body; zero when there was none or
	// it was not JSON.
	Response ErrorResponse
	// Op names the call, e.g. "create session".
	Op string
	// RetryAfter is the wait the server asked for in a Retry-After header,
	// zero when absent.
	RetryAfter time.Duration
}

// Error gives one sentence with the call, the status and Alvaria's own words.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "Alvaria answered %d", e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if d := e.Detail(); d != "" {
		b.WriteString(": " + d)
	}
	return b.String()
}

// Detail gives Alvaria's message and errors[] without the call and status,
// for showing to a user; empty when the answer carried no body.
func (e *APIError) Detail() string {
	var parts []string
	for _, d := range e.Response.Errors {
		if s := d.String(); s != "" {
			parts = append(parts, s)
		}
	}
	msg := e.Response.Message
	switch {
	case len(parts) == 0:
		return msg
	case msg == "":
		return strings.Join(parts, "; ")
	default:
		return msg + " (" + strings.Join(parts, "; ") + ")"
	}
}

// String renders one error entry as "scope: reason: message", leaving out
// empty parts.
func (d ErrorDetail) String() string {
	var parts []string
	for _, p := range []string{d.Scope, d.Reason, d.Message} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ": ")
}

// ValidationError is bad input caught before any request is sent.
type ValidationError struct {
	Field   string // JSON name, e.g. "contactName" or "attachment.url"
	Problem string // e.g. "is required"
}

// Error names the field and the problem.
func (e *ValidationError) Error() string {
	return e.Field + " " + e.Problem
}

// CredentialsError is the token service refusing Parley's client id or
// secret (an OAuth2 error answer such as 400 or 401): a setting to fix, not
// an outage.
type CredentialsError struct {
	StatusCode int    // the token service's HTTP status
	Code       string // the OAuth2 error code, e.g. "invalid_client"
	Err        error
}

// Error names the status and the OAuth2 error.
func (e *CredentialsError) Error() string {
	s := fmt.Sprintf("the token service refused the client credentials (%d", e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s + ")"
}

func (e *CredentialsError) Unwrap() error { return e.Err }
