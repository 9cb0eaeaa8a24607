package testkit_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/testkit"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c := testkit.NewClock(start)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Advance(time.Minute)
			_ = c.Now()
		}()
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(start.Add(10 * time.Minute)) {
		t.Fatalf("after ten one-minute advances: %s", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("after Set: %s", c.Now())
	}
}

func TestEventuallyWaitsForTheCondition(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 3 {
			n.Add(1)
		}
	}()
	testkit.Eventually(t, testkit.WaitTimeout, func() bool { return n.Load() == 3 }, "three increments")
}

// TestClientCarriesCookieAndCSRF signs in to a server that sets a cookie
// and asks for the CSRF token its pages show.
func TestClientCarriesCookieAndCSRF(t *testing.T) {
	const form = `<form><input type="hidden" name="csrf" value="tok&amp;en"></form>`
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(form)) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("csrf") != "tok&en" || r.FormValue("password") != "secret" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "1", Path: "/"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("s"); err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Write([]byte(form))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.FormValue("csrf"))) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	c := testkit.SignIn(t, srv.URL, "ada", "secret")
	if code, body := c.Get(t, "/"); code != http.StatusOK || body != form {
		t.Fatalf("signed-in page = %d %q", code, body)
	}
	if code, loc := testkit.NewClient(srv.URL).Get(t, "/"); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("without the cookie = %d %q, want a redirect to /login", code, loc)
	}
	if _, body := c.Post(t, "/echo", nil); body != "tok&en" {
		t.Fatalf("posted csrf = %q", body)
	}
	if _, body := c.Post(t, "/echo", url.Values{"csrf": {""}}); body != "" {
		t.Fatalf("a form that sets csrf keeps it: got %q", body)
	}
}
