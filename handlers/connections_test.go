package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// A session that has heard nothing from Alvaria for 30 s says so and
// links admins to its connection's callback diagnostics; a younger one
// keeps the notice hidden until then.
func TestPendingSessionPointsToTheDiagnostics(t *testing.T) {
	st := storetest.SQLite(t)
	a := newApp(t, st)
	old := store.Session{AlvariaSessionID: "alv-silent", ConnectionSlug: "simulator", Connection: "Simulator (built in)", ContactName: "Quiet",
		WorkTypeID: "32", State: store.SessionPending, CreatedAt: time.Now().Add(-time.Minute)}
	young := store.Session{AlvariaSessionID: "alv-young", ConnectionSlug: "simulator", Connection: "Simulator (built in)", ContactName: "Young",
		WorkTypeID: "32", State: store.SessionPending, CreatedAt: time.Now()}
	for _, s := range []*store.Session{&old, &young} {
		if err := st.CreateSession(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	admin := a.signIn(t, "admin")
	code, page := admin.Get(t, "/sessions/"+old.ID)
	if code != http.StatusOK || !strings.Contains(page, `id="no-callback"`) || strings.Contains(noticeOf(page), "hidden") {
		t.Fatalf("a session silent for a minute = %d, notice %q", code, noticeOf(page))
	}
	if !strings.Contains(page, `href="/admin/connections/simulator#diagnostics"`) {
		t.Error("the notice does not link to the connection's diagnostics")
	}
	if _, page = admin.Get(t, "/sessions/"+young.ID); !strings.Contains(noticeOf(page), "hidden") {
		t.Errorf("a session just started shows the notice: %q", noticeOf(page))
	}
	// An operator is told who can look, not given an admin's link.
	if _, page = a.signIn(t, "olive").Get(t, "/sessions/"+old.ID); strings.Contains(page, "/admin/connections") || !strings.Contains(page, "An admin can check") {
		t.Error("the operator's notice links to an admin page")
	}
	// The diagnostics page it links to is there.
	if code, _ := admin.Get(t, "/admin/connections/simulator"); code != http.StatusOK {
		t.Fatalf("the diagnostics page = %d", code)
	}
}

// noticeOf returns the opening tag of the no-callback notice.
func noticeOf(page string) string {
	i := strings.Index(page, `id="no-callback"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<")
	end := strings.Index(page[i:], ">")
	return page[start : i+end+1]
}

// Connections pages are for admins.
func TestConnectionsAreForAdmins(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	for _, name := range []string{"olive", "quinn"} {
		u := a.signIn(t, name)
		if code, _ := u.Get(t, "/admin/connections"); code != http.StatusForbidden {
			t.Errorf("%s on the connections page = %d, want 403", name, code)
		}
		if code, _ := u.Post(t, "/admin/connections/simulator/test", nil); code != http.StatusForbidden {
			t.Errorf("%s testing a connection = %d, want 403", name, code)
		}
	}
	admin := a.signIn(t, "admin")
	if code, _ := admin.Post(t, "/admin/connections/simulator/disable", nil); code != http.StatusConflict {
		t.Errorf("disable the built-in simulator = %d, want 409", code)
	}
	if code, _ := admin.Get(t, "/admin/connections/nobody"); code != http.StatusNotFound {
		t.Errorf("a connection that does not exist = %d, want 404", code)
	}
}
