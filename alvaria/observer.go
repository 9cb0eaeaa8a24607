package alvaria

import (
	"net/http"
	"time"
)

// Observer is told about every request the client makes to the API, so the
// caller can count them (Prometheus in Parley) without this package knowing
// how. Its methods are called from the calling goroutine and must be quick.
type Observer interface {
	// Request reports one try at endpoint ("create_session", "send_message",
	// "delete_session"): the answer's status, 0 when none came, and how long
	// it took.
	Request(endpoint string, status int, elapsed time.Duration)
	// Retry reports that a call to endpoint is about to be tried again.
	Retry(endpoint string)
}

// ignoreObserver is the Observer of a Config that sets none.
type ignoreObserver struct{}

func (ignoreObserver) Request(string, int, time.Duration) {}
func (ignoreObserver) Retry(string)                       {}

// statusOf is the status an Observer is told for an answer or its absence.
func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}
