package live

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestHubDeliversKeysToSubscribersOfTheTopicOnly(t *testing.T) {
	h := NewHub()
	a := h.Subscribe("session:a")
	b := h.Subscribe("session:b")
	defer a.Close()
	defer b.Close()

	h.Publish(context.Background(), "session:a", "1")
	h.Publish(context.Background(), "session:a", "2")
	h.Publish(context.Background(), "session:a", "1")

	<-a.Ready()
	keys, all := a.Take()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"1", "2"}) || all {
		t.Fatalf("keys = %v all=%v, want [1 2] coalesced", keys, all)
	}
	select {
	case <-b.Ready():
		t.Fatal("subscriber of another topic was told")
	default:
	}
}

func TestSlowSubscriberNeverBlocksPublisherAndOverflowsToAll(t *testing.T) {
	h := NewHub()
	slow := h.Subscribe(TopicSessions)
	defer slow.Close()
	for i := 0; i < maxPendingKeys+10; i++ {
		h.Publish(context.Background(), TopicSessions, fmt.Sprint(i))
	}
	keys, all := slow.Take()
	if !all || len(keys) != maxPendingKeys {
		t.Fatalf("got %d keys all=%v, want %d keys and all=true", len(keys), all, maxPendingKeys)
	}
	if keys, all := slow.Take(); len(keys) != 0 || all {
		t.Fatalf("second take = %v %v, want empty", keys, all)
	}
}

func TestCloseUnsubscribes(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("t")
	s.Close()
	s.Close()
	if n := h.Subscribers("t"); n != 0 {
		t.Fatalf("subscribers = %d after close", n)
	}
	h.Publish(context.Background(), "t", "x")
	if keys, _ := s.Take(); len(keys) != 0 {
		t.Fatalf("closed subscription got %v", keys)
	}
}

func TestConcurrentPublishAndSubscribe(t *testing.T) {
	h := NewHub()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				h.Publish(context.Background(), "t", fmt.Sprint(j))
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				s := h.Subscribe("t")
				s.Take()
				s.Close()
			}
		}()
	}
	wg.Wait()
	if n := h.Subscribers("t"); n != 0 {
		t.Fatalf("subscribers = %d, want 0", n)
	}
}

func BenchmarkPublish(b *testing.B) {
	h := NewHub()
	for i := 0; i < 100; i++ {
		defer h.Subscribe("t").Close()
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Publish(context.Background(), "t", "k")
	}
}
