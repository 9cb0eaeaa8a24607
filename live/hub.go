package live

import (
	"context"
	"sync"
)

// Hub is the in-process Broker, for a single Parley instance.
type Hub struct {
	mu   sync.RWMutex
	subs map[string]map[*Subscription]struct{}
}

// NewHub returns an empty Hub.
func NewHub() *Hub {
	return &Hub{subs: map[string]map[*Subscription]struct{}{}}
}

// Publish tells every subscriber of topic that key changed.
func (h *Hub) Publish(_ context.Context, topic, key string) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs[topic] {
		s.notify(key)
	}
	return nil
}

// Subscribe starts receiving notices for topic until Close.
func (h *Hub) Subscribe(topic string) *Subscription {
	var s *Subscription
	s = newSubscription(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs[topic], s)
		if len(h.subs[topic]) == 0 {
			delete(h.subs, topic)
		}
	})
	h.mu.Lock()
	if h.subs[topic] == nil {
		h.subs[topic] = map[*Subscription]struct{}{}
	}
	h.subs[topic][s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Subscribers counts the open subscriptions of topic.
func (h *Hub) Subscribers(topic string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[topic])
}

// resyncAll tells every subscriber to refresh everything.
func (h *Hub) resyncAll() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, subs := range h.subs {
		for s := range subs {
			s.resync()
		}
	}
}
