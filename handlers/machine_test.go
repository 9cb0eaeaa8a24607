package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store/storetest"
)

func TestReadyzSaysNotReadyWhenTheDatabaseRefusesWrites(t *testing.T) {
	st := storetest.SQLite(t)
	c := newConsole(t, st)
	if code := status(t, http.MethodGet, c.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz on a writable database = %d", code)
	}
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), "PRAGMA query_only = ON"); err != nil {
		t.Fatal(err)
	}
	if code := status(t, http.MethodGet, c.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz on a read-only database = %d, want 503", code)
	}
}

func TestProbesAnswerHEAD(t *testing.T) {
	c := newConsole(t, storetest.SQLite(t))
	for _, path := range []string{"/healthz", "/readyz"} {
		if code := status(t, http.MethodHead, c.URL+path); code != http.StatusOK {
			t.Errorf("HEAD %s = %d, want 200", path, code)
		}
	}
}

func TestStaticDoesNotListItsDirectory(t *testing.T) {
	c := newConsole(t, storetest.SQLite(t))
	for _, path := range []string{"/static/", "/static"} {
		resp, err := http.Get(c.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if code := status(t, http.MethodGet, c.URL+"/static/parley.css"); code != http.StatusOK {
		t.Errorf("a file under /static = %d", code)
	}
}

func TestHSTSOnlyWhenThePublicURLIsHTTPS(t *testing.T) {
	st := storetest.SQLite(t)
	for _, https := range []bool{false, true} {
		r := handlers.NewRouter(handlers.Deps{Health: st, Live: live.NewHub(), SecureCookies: https})
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		got := w.Header().Get("Strict-Transport-Security")
		if https && !strings.Contains(got, "max-age=") {
			t.Errorf("https: Strict-Transport-Security = %q", got)
		}
		if !https && got != "" {
			t.Errorf("http: Strict-Transport-Security = %q, want none", got)
		}
	}
}

func TestAFormOverTheLimitIsCalledTooLarge(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	code, body := admin.Post(t, "/account/password", url.Values{"current": {strings.Repeat("x", 2<<20)}})
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") || strings.Contains(body, "expired") {
		t.Fatalf("a 2 MiB form = %d, want 413 saying it is too large:\n%s", code, body)
	}
}

func status(t *testing.T, method, url string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
