package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/store"
)

// The embedded simulator keeps its sessions in memory, so those it ran
// before a restart are over: serve marks them ended with a note at start,
// instead of showing them Connected until a send fails. Sessions on other
// connections are left alone.
func TestServeEndsSessionsTheRestartedSimulatorForgot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	st, err := store.Open(t.Context(), "sqlite://"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	forgotten := store.Session{AlvariaSessionID: "alv-before-restart", ConnectionSlug: connections.SimulatorSlug, Connection: connections.SimulatorName, WorkTypeID: "32", ContactName: "Ada", State: store.SessionConnected}
	elsewhere := store.Session{AlvariaSessionID: "alv-real-tenant", ConnectionSlug: "production", Connection: "Production", WorkTypeID: "32", ContactName: "Grace", State: store.SessionConnected}
	for _, s := range []*store.Session{&forgotten, &elsewhere} {
		if err := st.CreateSession(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": "sqlite://" + path})
	code, body := srv.admin(t).Get(t, "/sessions/"+forgotten.ID)
	if code != http.StatusOK || !strings.Contains(body, `id="session-state">Ended<`) || !strings.Contains(body, "Alvaria no longer knows this session") {
		t.Errorf("the session the restarted simulator forgot = %d, ended with a note: %v", code, strings.Contains(body, "no longer knows"))
	}
	if _, body := srv.admin(t).Get(t, "/sessions/"+elsewhere.ID); !strings.Contains(body, `id="session-state">Connected<`) {
		t.Error("a session on another connection was ended at start")
	}
}
