package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store/storetest"
)

// BenchmarkWebhookMessage measures verified MESSAGE callbacks stored and
// applied per second on SQLite, through real HTTP.
func BenchmarkWebhookMessage(b *testing.B) {
	c := newConsole(b, storetest.SQLite(b))
	s := c.newSession(b, "alv-bench")
	bodies := make([]string, b.N)
	auths := make([]string, b.N)
	for i := range b.N {
		id := fmt.Sprintf("bench-%d", i)
		bodies[i] = ev("MESSAGE", s.AlvariaSessionID, id, `"senderId":"Lucia","message":{"text":"hello"}`)
		auths[i] = "Bearer " + token(b, id)
	}
	client := &http.Client{}
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest(http.MethodPost, c.URL+"/webhooks/server-messaging", strings.NewReader(bodies[i]))
		req.Header.Set("Authorization", auths[i])
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
}
