package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/simulator"
)

// Listening on every interface, the standalone simulator cannot know the
// names it is reached by, so its desk relies on the Origin alone: that of a
// site rebound to its address is refused even though it matches the Host.
func TestStandaloneDeskComparesOriginWithItsOwnAddress(t *testing.T) {
	sim, err := simulator.New(simulator.Config{CallbackURL: "http://127.0.0.1:1/callbacks", SigningKey: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv := httptest.NewServer(handlers.NewStandaloneSimulator(sim.Handler(), handlers.DeskDeps{
		Simulator: sim, Origins: []string{"http://127.0.0.1:9090", "http://192.0.2.7:9090"},
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		host, origin, fetchSite string
		want                    int
	}{
		{"evil.example:9090", "http://evil.example:9090", "same-origin", http.StatusForbidden},
		{"evil.example:9090", "", "same-origin", http.StatusForbidden},
		{"127.0.0.1:9090", "http://evil.example", "cross-site", http.StatusForbidden},
		{"127.0.0.1:9090", "", "", http.StatusForbidden},
		{"127.0.0.1:9090", "http://127.0.0.1:9090", "same-origin", http.StatusOK},
		{"192.0.2.7:9090", "http://192.0.2.7:9090", "", http.StatusOK},
		{"127.0.0.1:9090", "", "same-origin", http.StatusOK},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/deliveries/pause", nil)
		req.Host = tt.host
		req.Header.Set("X-Parley-Async", "1")
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		if tt.fetchSite != "" {
			req.Header.Set("Sec-Fetch-Site", tt.fetchSite)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("Host %s, Origin %q, Sec-Fetch-Site %q: %d, want %d", tt.host, tt.origin, tt.fetchSite, resp.StatusCode, tt.want)
		}
	}
}
