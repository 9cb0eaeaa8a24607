package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/internal/testkit"
)

func TestMetricsOnTheirOwnListenerLeaveTheConsole(t *testing.T) {
	t.Chdir(t.TempDir())
	metricsAddr := testkit.FreeAddr(t)
	srv := startServe(t, map[string]string{"PARLEY_METRICS_ADDR": metricsAddr})
	admin := srv.admin(t)

	// A session started on the embedded simulator is one counted call to
	// Alvaria's create endpoint.
	if code, loc := admin.Post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Ada"}}); code != http.StatusSeeOther {
		t.Fatalf("start session = %d %q", code, loc)
	}
	code, body := testkit.Get(t, "http://"+metricsAddr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics on PARLEY_METRICS_ADDR without sign-in = %d, want 200", code)
	}
	for _, want := range []string{`parley_alvaria_requests_total{endpoint="create_session",status="202"} 1`, "go_goroutines", "process_resident_memory_bytes",
		// The embedded simulator runs, so its backlog is there too.
		"\nparley_simulator_backlog "} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if code, _ := admin.Get(t, "/metrics"); code != http.StatusNotFound {
		t.Errorf("console /metrics for an admin = %d, want 404 once it has its own listener", code)
	}
}

func TestDebugListenerServesProfiles(t *testing.T) {
	t.Chdir(t.TempDir())
	debugAddr := testkit.FreeAddr(t)
	srv := startServe(t, map[string]string{"PARLEY_DEBUG_ADDR": debugAddr})

	code, body := testkit.Get(t, "http://"+debugAddr+"/debug/pprof/")
	if code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Fatalf("GET /debug/pprof/ on PARLEY_DEBUG_ADDR = %d, want 200 with the profile index", code)
	}
	if code, _ := testkit.Get(t, "http://"+debugAddr+"/debug/pprof/goroutine?debug=1"); code != http.StatusOK {
		t.Errorf("goroutine profile = %d, want 200", code)
	}
	if code, _ := srv.admin(t).Get(t, "/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("console /debug/pprof/ = %d, want 404", code)
	}
}

func TestDebugAddressMustBeLoopbackUnlessAllowed(t *testing.T) {
	tests := []struct {
		addr, allow string
		refused     bool
	}{
		{"0.0.0.0:6060", "", true},
		{":6060", "", true},
		{"10.1.2.3:6060", "", true},
		{"parley.example:6060", "", true},
		{"0.0.0.0:6060", "true", false},
		{"127.0.0.1:6060", "", false},
		{"[::1]:6060", "", false},
		{"localhost:6060", "", false},
	}
	for _, tt := range tests {
		var cfg serveConfig
		err := serveSettings(&cfg).parse(nil, envMap(map[string]string{"PARLEY_DEBUG_ADDR": tt.addr, "PARLEY_DEBUG_ALLOW_REMOTE": tt.allow}), io.Discard)
		if err == nil {
			err = cfg.validate()
		}
		if tt.refused && (err == nil || !strings.Contains(err.Error(), "PARLEY_DEBUG_ALLOW_REMOTE=true")) {
			t.Errorf("%s (allow %q): err %v, want a refusal naming PARLEY_DEBUG_ALLOW_REMOTE", tt.addr, tt.allow, err)
		}
		if !tt.refused && err != nil {
			t.Errorf("%s (allow %q): %v, want accepted", tt.addr, tt.allow, err)
		}
	}
}

func TestServeRefusesARemoteDebugAddress(t *testing.T) {
	t.Chdir(t.TempDir())
	err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--debug-addr", "0.0.0.0:0"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.HasPrefix(err.Error(), `PARLEY_DEBUG_ADDR "0.0.0.0:0" is not a loopback address`) {
		t.Fatalf("serve with a remote debug address: %v, want a refusal", err)
	}
}

func TestMetricsOnTheConsoleAreForAdminsOnly(t *testing.T) {
	t.Chdir(t.TempDir())
	srv := startServe(t, nil)
	admin := srv.admin(t)
	if code, body := admin.Get(t, "/metrics"); code != http.StatusOK || !strings.Contains(body, "parley_websocket_clients") {
		t.Errorf("admin GET /metrics = %d, want 200 with Parley's metrics", code)
	}
	const qaPassword = "quality assured"
	if code, _ := admin.Post(t, "/admin/users", url.Values{"username": {"quinn"}, "password": {qaPassword}, "role": {accounts.RoleQA}}); code != http.StatusSeeOther {
		t.Fatalf("create QA user = %d", code)
	}
	if code, body := srv.signIn(t, "quinn", qaPassword).Get(t, "/metrics"); code != http.StatusForbidden || strings.Contains(body, "parley_") {
		t.Errorf("QA GET /metrics = %d, want 403 without metrics", code)
	}
	if code, loc := testkit.NewClient(srv.URL).Get(t, "/metrics"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("anonymous GET /metrics = %d %q, want a redirect to sign in", code, loc)
	}
}
