package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// BenchmarkWebhookMessage measures verified MESSAGE callbacks stored and
// applied per second on SQLite, through real HTTP, one at a time.
func BenchmarkWebhookMessage(b *testing.B) {
	benchWebhookMessage(b, newConsole(b, storetest.SQLite(b)), 1, false)
}

// BenchmarkWebhookMessagePostgres is BenchmarkWebhookMessage on Postgres,
// with the LISTEN/NOTIFY broker the server uses there.
func BenchmarkWebhookMessagePostgres(b *testing.B) {
	url := storetest.PostgresURL(b)
	benchWebhookMessage(b, newConsoleWith(b, storetest.Open(b, url), newBenchBroker(b, url)), 1, false)
}

// BenchmarkWebhookMessageParallel posts callbacks to 8 sessions from
// GOMAXPROCS×8 clients at once, on SQLite.
func BenchmarkWebhookMessageParallel(b *testing.B) {
	benchWebhookMessage(b, newConsole(b, storetest.SQLite(b)), 8, true)
}

// BenchmarkWebhookMessageParallelPostgres is the parallel benchmark on
// Postgres.
func BenchmarkWebhookMessageParallelPostgres(b *testing.B) {
	url := storetest.PostgresURL(b)
	benchWebhookMessage(b, newConsoleWith(b, storetest.Open(b, url), newBenchBroker(b, url)), 8, true)
}

func newBenchBroker(b *testing.B, url string) live.Broker {
	br, err := live.NewPGBroker(b.Context(), url, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(br.Close)
	return br
}

// benchWebhookMessage signs b.N MESSAGE callbacks to sessions existing
// sessions ahead of time, then posts them.
func benchWebhookMessage(b *testing.B, c *console, sessions int, parallel bool) {
	ss := make([]store.Session, sessions)
	for i := range ss {
		ss[i] = c.newSession(b, fmt.Sprintf("alv-bench-%d", i))
	}
	bodies := make([]string, b.N)
	auths := make([]string, b.N)
	for i := range b.N {
		id := fmt.Sprintf("bench-%d", i)
		bodies[i] = ev("MESSAGE", ss[i%sessions].AlvariaSessionID, id, `"senderId":"Lucia","message":{"text":"hello"}`)
		auths[i] = "Bearer " + token(b, id)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	post := func(i int) {
		req, _ := http.NewRequest(http.MethodPost, c.URL+"/webhooks/server-messaging", strings.NewReader(bodies[i]))
		req.Header.Set("Authorization", auths[i])
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Errorf("status %d", resp.StatusCode)
		}
	}
	b.ResetTimer()
	if parallel {
		b.SetParallelism(8)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post(int(next.Add(1) - 1))
			}
		})
	} else {
		for i := range b.N {
			post(i)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
}
