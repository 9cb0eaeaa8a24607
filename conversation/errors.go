package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/parley-dev/parley/alvaria"
)

// ErrNotFound means there is no session with that id.
var ErrNotFound = errors.New("there is no such session")

// ErrSessionClosed means the session can no longer take messages.
var ErrSessionClosed = errors.New("this session has ended: no more messages can be sent")

// AlvariaError is Alvaria refusing or failing a call; it keeps Alvaria's own
// words for the user.
type AlvariaError struct {
	Op      string // "start the session", "send the message", "end the session"
	Status  int    // HTTP status, 0 when Alvaria could not be reached
	Message string
	Details []alvaria.ErrorDetail
	Err     error
}

func (e *AlvariaError) Error() string {
	return fmt.Sprintf("Alvaria could not %s: %s", e.Op, e.Message)
}

func (e *AlvariaError) Unwrap() error { return e.Err }

// alvariaError explains err from an Alvaria call in one sentence.
func alvariaError(op string, err error) *AlvariaError {
	out := &AlvariaError{Op: op, Err: err}
	var apiErr *alvaria.APIError
	var valErr *alvaria.ValidationError
	var credErr *alvaria.CredentialsError
	switch {
	case errors.As(err, &credErr):
		out.Status = credErr.StatusCode
		out.Message = fmt.Sprintf("Alvaria refused Parley's credentials (token service answered %d)", credErr.StatusCode)
	case errors.As(err, &apiErr):
		out.Status = apiErr.StatusCode
		out.Message = apiErr.Response.Message
		out.Details = apiErr.Response.Errors
		if out.Message == "" {
			out.Message = statusSentence(apiErr.StatusCode)
		}
		if errors.Is(err, alvaria.ErrOutcomeUnknown) {
			out.Message += " (it may still have gone through, so it was not retried; check before trying again)"
		}
	case errors.Is(err, alvaria.ErrOutcomeUnknown):
		// Not retried on purpose: a retry could open a second session.
		out.Message = "Alvaria did not answer in time, so whether it went through is unknown; check before trying again"
	case errors.As(err, &valErr):
		out.Message = valErr.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		out.Message = "the request timed out"
	default:
		out.Message = "Alvaria could not be reached (" + err.Error() + ")"
	}
	return out
}

func statusSentence(code int) string {
	switch code {
	case 401:
		return "Parley's credentials were refused"
	case 404:
		return "not found"
	case 429:
		return "too many requests; try again shortly"
	default:
		return fmt.Sprintf("Alvaria answered HTTP %d", code)
	}
}
