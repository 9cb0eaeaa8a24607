package runs

import (
	"sync"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// retriesStatus is the row of a load run's call counts that counts retries.
const retriesStatus = -1

// CallTally is the Alvaria client's Observer while load runs play here: it
// counts the answers by status for every load run with a session in flight
// on this instance, so a load run shows its 429s and the client's retries,
// and passes each call on to next (the metrics). A call made meanwhile by
// a person, or for another load run, is counted too: the client cannot
// tell whose call it is.
type CallTally struct {
	next   alvaria.Observer
	mu     sync.Mutex
	active map[int64]*loadCalls
}

type loadCalls struct {
	sessions int // in flight here
	byStatus map[int]int64
}

// NewCallTally wraps next, which may be nil.
func NewCallTally(next alvaria.Observer) *CallTally {
	return &CallTally{next: next, active: map[int64]*loadCalls{}}
}

// Request counts one answer (status 0: none came).
func (t *CallTally) Request(endpoint string, status int, elapsed time.Duration) {
	if t == nil {
		return
	}
	if t.next != nil {
		t.next.Request(endpoint, status, elapsed)
	}
	t.add(status)
}

// Retry counts one call about to be tried again after its backoff.
func (t *CallTally) Retry(endpoint string) {
	if t == nil {
		return
	}
	if t.next != nil {
		t.next.Retry(endpoint)
	}
	t.add(retriesStatus)
}

func (t *CallTally) add(status int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.active {
		c.byStatus[status]++
	}
}

// begin counts for a load run while one of its sessions plays here.
func (t *CallTally) begin(loadRunID int64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.active[loadRunID]
	if c == nil {
		c = &loadCalls{byStatus: map[int]int64{}}
		t.active[loadRunID] = c
	}
	c.sessions++
}

// end takes the counts so far for the load run, to be stored, and stops
// counting for it when no session of it plays here any more.
func (t *CallTally) end(loadRunID int64) map[int]int64 {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.active[loadRunID]
	if c == nil {
		return nil
	}
	taken := c.byStatus
	c.byStatus = map[int]int64{}
	if c.sessions--; c.sessions == 0 {
		delete(t.active, loadRunID)
	}
	return taken
}
