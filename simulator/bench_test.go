package simulator

import (
	"context"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// The benchmarks go through the alvaria client and real HTTP, so they
// measure what Parley sees, callbacks and their signing included.

func BenchmarkCreateSession(b *testing.B) {
	cfg := quick()
	cfg.AgentDelay = time.Hour // measure the API, not the agents
	h := newHarness(b, cfg)
	ctx := context.Background()
	start := time.Now()
	for b.Loop() {
		if _, err := h.client.CreateSession(ctx, alvaria.NewSession{WorkTypeID: "32", ContactName: "Bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func BenchmarkSendMessage(b *testing.B) {
	cfg := quick()
	cfg.AgentDelay = time.Millisecond
	h := newHarness(b, cfg)
	ctx := context.Background()
	id, err := h.client.CreateSession(ctx, alvaria.NewSession{WorkTypeID: "32", ContactName: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for b.Loop() {
		if _, err := h.client.SendMessage(ctx, id, alvaria.Message{Text: "hello"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
