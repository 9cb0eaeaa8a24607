package simulator

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// scheduler runs short functions after a delay, one at a time on a single
// goroutine, in the order they fall due and, for equal times, the order they
// were scheduled. That order is what keeps an agent's actions in a session
// in sequence (the join before the reply to a message sent right after it),
// and one goroutine rather than a timer each lets Close stop them all.
//
// Delays are measured on the real monotonic clock, not Config.Now, so a test
// that freezes Now still sees agents act.
type scheduler struct {
	mu     sync.Mutex
	items  timedHeap
	seq    uint64
	closed bool
	wake   chan struct{}
}

type timed struct {
	at  time.Time
	seq uint64
	fn  func()
}

func newScheduler() *scheduler {
	return &scheduler{wake: make(chan struct{}, 1)}
}

// after runs fn once d has passed. fn must not block: it runs on the
// scheduler's goroutine. After close it does nothing.
func (s *scheduler) after(d time.Duration, fn func()) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.seq++
	heap.Push(&s.items, &timed{at: time.Now().Add(d), seq: s.seq, fn: fn})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run executes due functions until ctx ends.
func (s *scheduler) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer s.close()
	for {
		if ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		var due *timed
		wait := time.Duration(-1)
		if len(s.items) > 0 {
			if d := time.Until(s.items[0].at); d <= 0 {
				due = heap.Pop(&s.items).(*timed)
			} else {
				wait = d
			}
		}
		s.mu.Unlock()
		if due != nil {
			due.fn()
			continue
		}
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

func (s *scheduler) close() {
	s.mu.Lock()
	s.closed = true
	s.items = nil
	s.mu.Unlock()
}

type timedHeap []*timed

func (h timedHeap) Len() int { return len(h) }
func (h timedHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timedHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timedHeap) Push(x any)   { *h = append(*h, x.(*timed)) }
func (h *timedHeap) Pop() any {
	old := *h
	n := len(old)
	it := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return it
}
