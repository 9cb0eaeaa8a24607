package simulator

import (
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
)

// callbackTokenLife is how long a callback's JWT is valid: long enough for
// a slow receiver, short enough that a captured token is soon useless.
const callbackTokenLife = 5 * time.Minute

// maxReceiverBody bounds how much of a receiver's answer is read.
const maxReceiverBody = 64 << 10

// event is one callback: its body is fixed when it is created, so every
// attempt sends the same bytes under the same eventId.
type event struct {
	id        string
	sessionID string
	name      string
	body      []byte

	// Guarded by delivery.mu.
	attempts  int       // POSTs made, of any kind
	failures  int       // failed first and retry attempts, for the backoff
	first     time.Time // Config.Now at the first attempt
	delivered bool      // some attempt got a 200
}

type job struct {
	ev    *event
	kind  string
	twice bool     // DuplicateRate chose it: send a duplicate right after
	sig   *presign // its token, signed ahead by the signers; nil signs at send
}

// sessionQueue holds one session's callbacks waiting to be sent. At most one
// worker holds it at a time, which is what keeps a session's callbacks in
// order.
type sessionQueue struct {
	id    string
	jobs  []job
	held  *job // held back by ReorderRate until the next callback arrives
	busy  bool // a worker is sending from it
	ready bool // it is in delivery.ready
}

// delivery POSTs callbacks with a fixed pool of workers. A failed callback
// leaves its queue and waits on the scheduler for its retry, so it never
// holds back the session's later callbacks.
type delivery struct {
	url      string
	client   *http.Client
	key      *rsa.PrivateKey
	now      func() time.Time
	log      *slog.Logger
	dlog     *deliveryLog
	sched    *scheduler
	changed  func()
	retryFor time.Duration
	base     time.Duration
	maxDelay time.Duration
	timeout  time.Duration
	latency  time.Duration
	hold     time.Duration // how long ReorderRate waits for a next callback
	dupRate  float64
	reorder  float64
	dice     *dice

	mu     sync.Mutex
	cond   *sync.Cond
	queues map[string]*sessionQueue
	ready  []*sessionQueue // queues with work and no worker, oldest first
	paused bool
	closed bool
	// waiting counts the jobs not yet taken by a worker: queued, held back
	// by ReorderRate, or waiting on the scheduler for their retry.
	waiting int

	// The signers' side (signer.go), under mu too.
	signCond  *sync.Cond
	toSign    []*presign // jobs' tokens in the order the jobs were queued
	signed    int        // tokens signed ahead and not yet sent
	lookahead int        // most tokens signed ahead at once
	usedAhead int        // tokens signed ahead and sent, for tests
}

// backlog is how many callback attempts are waiting to be made.
func (d *delivery) backlog() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.waiting
}

func (d *delivery) init(signers int) {
	d.cond = sync.NewCond(&d.mu)
	d.signCond = sync.NewCond(&d.mu)
	d.queues = map[string]*sessionQueue{}
	d.lookahead = max(minLookahead, lookaheadPerSigner*signers)
}

// enqueue adds a job to its session's queue. It never blocks on the network,
// so API handlers can call it.
func (d *delivery) enqueue(j job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.waiting++
	q := d.queues[j.ev.sessionID]
	if q == nil {
		q = &sessionQueue{id: j.ev.sessionID}
		d.queues[q.id] = q
	}
	queued := len(q.jobs)
	defer d.presignBehindLocked(q, queued)
	if j.kind == AttemptFirst {
		j.twice = d.dice.chance(d.dupRate)
		switch {
		case q.held != nil:
			q.jobs = append(q.jobs, j, *q.held)
			q.held = nil
		case d.dice.chance(d.reorder):
			q.held = &j
			// Nothing may follow (a SESSION_END), so the held callback is
			// let go after a while rather than kept forever.
			d.sched.after(d.hold, func() { d.release(q.id) })
			return
		default:
			q.jobs = append(q.jobs, j)
		}
	} else {
		q.jobs = append(q.jobs, j)
	}
	d.markReadyLocked(q)
}

func (d *delivery) release(sessionID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queues[sessionID]
	if q == nil || q.held == nil {
		return
	}
	q.jobs = append(q.jobs, *q.held)
	q.held = nil
	d.presignBehindLocked(q, len(q.jobs)-1)
	d.markReadyLocked(q)
}

func (d *delivery) markReadyLocked(q *sessionQueue) {
	if q.busy || q.ready || len(q.jobs) == 0 {
		return
	}
	q.ready = true
	d.ready = append(d.ready, q)
	d.cond.Signal()
}

// work sends callbacks until close.
func (d *delivery) work(ctx context.Context) {
	for {
		d.mu.Lock()
		for !d.closed && (d.paused || len(d.ready) == 0) {
			d.cond.Wait()
		}
		if d.closed {
			d.mu.Unlock()
			return
		}
		q := d.ready[0]
		d.ready[0] = nil
		d.ready = d.ready[1:]
		q.ready = false
		q.busy = true
		d.waiting--
		j := q.jobs[0]
		q.jobs[0] = job{}
		q.jobs = q.jobs[1:]
		d.mu.Unlock()

		d.attempt(ctx, j)
		if j.twice {
			d.attempt(ctx, job{ev: j.ev, kind: AttemptDuplicate})
		}

		d.mu.Lock()
		q.busy = false
		if len(q.jobs) > 0 {
			d.markReadyLocked(q)
		} else if q.held == nil {
			delete(d.queues, q.id)
		}
		d.mu.Unlock()
	}
}

func (d *delivery) pause(paused bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.paused = paused
	d.cond.Broadcast()
	d.signCond.Broadcast()
}

func (d *delivery) isPaused() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.paused
}

// close makes the workers stop; callbacks still queued are dropped.
func (d *delivery) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	d.cond.Broadcast()
	d.signCond.Broadcast()
}

// attempt makes one POST of j's event, logs it, and on failure of a first
// or retry attempt schedules the next retry or gives up.
func (d *delivery) attempt(ctx context.Context, j job) {
	if d.latency > 0 {
		t := time.NewTimer(d.latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if ctx.Err() != nil {
		return
	}
	ev := j.ev
	signed := d.claim(j.sig)
	d.mu.Lock()
	if j.kind == AttemptRetry && ev.delivered {
		// A duplicate or a redelivery got it through while it waited.
		d.mu.Unlock()
		return
	}
	ev.attempts++
	n := ev.attempts
	if ev.first.IsZero() {
		ev.first = d.now()
	}
	first := ev.first
	d.mu.Unlock()

	rec := DeliveryAttempt{Time: d.now(), EventID: ev.id, Event: ev.name, SessionID: ev.sessionID, Attempt: n, Kind: j.kind, Body: string(ev.body)}
	start := time.Now()
	code, token, err := d.post(ctx, ev, signed)
	rec.Token = token
	rec.LatencyMS = time.Since(start).Milliseconds()
	rec.StatusCode = code
	ok := err == nil && code == http.StatusOK
	switch {
	case err != nil:
		rec.Error = err.Error()
	case !ok:
		rec.Error = fmt.Sprintf("receiver answered %d, not 200", code)
	}
	if ctx.Err() != nil {
		return // closing; the attempt was cut short, not failed
	}

	d.mu.Lock()
	if ok {
		ev.delivered = true
	}
	retrying := !ok && !ev.delivered && (j.kind == AttemptFirst || j.kind == AttemptRetry)
	var delay time.Duration
	var next time.Time
	giveUp := false
	if retrying {
		ev.failures++
		delay = d.backoff(ev.failures)
		next = d.now().Add(delay)
		giveUp = next.Sub(first) > d.retryFor
		if !giveUp {
			d.waiting++ // until retry takes it off the scheduler
		}
	}
	d.mu.Unlock()

	if retrying {
		if giveUp {
			rec.GaveUp = true
			d.log.Warn("callback given up", "event", ev.name, "event_id", ev.id, "session_id", ev.sessionID, "attempts", n, "err", rec.Error)
		} else {
			rec.NextAttempt = &next
			d.sched.after(delay, func() { d.retry(ev) })
		}
	}
	// Each attempt is in the delivery log; the process log gets only the
	// give-up, so that a receiver down for hours does not flood it.
	d.log.Debug("callback attempt", "event", ev.name, "event_id", ev.id, "session_id", ev.sessionID,
		"attempt", n, "kind", j.kind, "status", code, "err", rec.Error)
	d.dlog.add(rec)
	d.changed()
}

// retry puts a failed event back in its queue, unless another attempt (a
// duplicate or a redelivery) got it through meanwhile.
func (d *delivery) retry(ev *event) {
	d.mu.Lock()
	d.waiting--
	delivered := ev.delivered
	d.mu.Unlock()
	if !delivered {
		d.enqueue(job{ev: ev, kind: AttemptRetry})
	}
}

// backoff is the wait before retry n (1 for the first): exponential from the
// base delay, capped, with jitter of up to a fifth taken off, so that
// callbacks failing together spread out while each wait still grows.
func (d *delivery) backoff(n int) time.Duration {
	w := d.base
	for i := 1; i < n && w < d.maxDelay; i++ {
		w *= 2
	}
	w = min(w, d.maxDelay)
	if w <= 0 {
		return 0
	}
	return w - d.dice.duration(w/5+1)
}

// sign makes a fresh token for one attempt at ev.
func (d *delivery) sign(ev *event) (string, error) {
	now := d.now()
	return alvaria.SignCallbackToken(d.key, alvaria.CallbackClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   ev.sessionID,
			ID:        newID(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(callbackTokenLife)),
		},
		EventID: ev.id,
	})
}

// post sends the event's body with the token signed ahead for this
// attempt, or one signed now when there is none. It returns the token too,
// for the delivery log.
func (d *delivery) post(ctx context.Context, ev *event, token string) (int, string, error) {
	if token == "" {
		var err error
		if token, err = d.sign(ev); err != nil {
			return 0, "", err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(ev.body))
	if err != nil {
		return 0, token, fmt.Errorf("build callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", Issuer)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, token, err
	}
	defer resp.Body.Close()
	// Reading the answer lets the connection be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxReceiverBody))
	return resp.StatusCode, token, nil
}
