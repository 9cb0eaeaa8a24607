package live

import "sync"

// maxPendingKeys bounds what one subscriber remembers between reads; past it
// the subscriber is told to reload everything instead.
const maxPendingKeys = 1024

// Subscription is a coalescing mailbox: Ready fires when something changed,
// and Take returns the distinct keys published since the last Take. A slow
// reader therefore costs memory bounded by maxPendingKeys, and the publisher
// never waits for it.
type Subscription struct {
	ready chan struct{}

	mu       sync.Mutex
	keys     map[string]struct{}
	overflow bool
	closed   bool
	unsub    func()
}

func newSubscription(unsub func()) *Subscription {
	return &Subscription{ready: make(chan struct{}, 1), keys: map[string]struct{}{}, unsub: unsub}
}

// Ready receives a value when Take has something new.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Take returns and forgets the pending keys. all is true when too many keys
// piled up to remember them: the reader should refresh everything.
func (s *Subscription) Take() (keys []string, all bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.keys {
		keys = append(keys, k)
	}
	all = s.overflow
	s.keys = map[string]struct{}{}
	s.overflow = false
	return keys, all
}

// Close stops delivery; it is safe to call more than once.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.unsub()
}

func (s *Subscription) notify(key string) {
	s.wake(func() {
		if len(s.keys) >= maxPendingKeys {
			s.overflow = true
		} else {
			s.keys[key] = struct{}{}
		}
	})
}

// resync tells the reader it may have missed notices and should refresh
// everything it shows.
func (s *Subscription) resync() {
	s.wake(func() { s.overflow = true })
}

// wake records a notice with mark, under the lock, and wakes the reader;
// on a closed subscription it does nothing.
func (s *Subscription) wake(mark func()) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	mark()
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default: // a wake-up is already pending; the notice is in the mailbox
	}
}
