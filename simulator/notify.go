package simulator

import "sync"

// notifier tells subscribers that something changed. Each subscriber has a
// channel with room for one value, so notices coalesce and a slow reader
// never holds up the simulator.
type notifier struct {
	mu     sync.Mutex
	subs   map[chan struct{}]struct{}
	closed bool
}

func newNotifier() *notifier {
	return &notifier{subs: map[chan struct{}]struct{}{}}
}

func (n *notifier) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		close(ch)
		return ch, func() {}
	}
	n.subs[ch] = struct{}{}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			if _, ok := n.subs[ch]; ok {
				delete(n.subs, ch)
				close(ch)
			}
		})
	}
}

func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// close ends every subscription by closing its channel.
func (n *notifier) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	for ch := range n.subs {
		delete(n.subs, ch)
		close(ch)
	}
}
