package simulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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

// BenchmarkCreateSessionHandler is the server side of Create Session alone,
// from every CPU, with delivery paused: what `parley bench sim` measures
// without the network and the client.
func BenchmarkCreateSessionHandler(b *testing.B) {
	cfg := quick()
	cfg.AgentDelay = time.Hour
	cfg.BacklogLimit = 1 << 30
	h := newHarness(b, cfg)
	h.sim.PauseDelivery()
	tok := h.sim.tokens.issue(time.Now(), time.Hour)
	handler := h.sim.Handler()
	body := `{"workTypeId":"32","contactName":"Bench Customer","integration":"SMS"}`
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/via/v2/organizations/demo/serverMessaging/session", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set(alvaria.HeaderAPIKey, DefaultAPIKey)
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, req)
			if w.Code != http.StatusAccepted {
				b.Fatalf("answered %d: %s", w.Code, w.Body)
			}
		}
	})
}
