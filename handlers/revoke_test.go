package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store/storetest"
)

// openLive opens the sessions list's websocket as u and reads its first
// update, so the socket is known to be streaming.
func openLive(t *testing.T, u *user, path string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(u.Base, "http")+path, &websocket.DialOptions{HTTPClient: u.HTTP})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	if _, _, err := conn.Read(ctx); err != nil {
		t.Fatalf("first update on %s: %v", path, err)
	}
	return conn
}

// waitClosed reads until the server closes the socket, and fails if it is
// still streaming after a generous deadline.
func waitClosed(t *testing.T, conn *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := conn.Read(ctx)
		if err == nil {
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			t.Fatal("the socket is still open after the sign-in ended")
		}
		if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation {
			t.Fatalf("closed with %v (%v), want policy violation (signed out)", s, err)
		}
		return
	}
}

func TestLiveSocketsCloseWhenTheSignInEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, a *app, olive *user, oliveID int64)
	}{
		{"disabled", func(t *testing.T, a *app, _ *user, id int64) {
			if code, _ := a.signIn(t, "admin").Post(t, fmt.Sprintf("/admin/users/%d/disable", id), nil); code != http.StatusSeeOther {
				t.Fatalf("disable = %d", code)
			}
		}},
		{"signed out", func(t *testing.T, _ *app, olive *user, _ int64) {
			if code, _ := olive.Post(t, "/logout", nil); code != http.StatusSeeOther {
				t.Fatalf("sign out = %d", code)
			}
		}},
		{"password reset by an admin", func(t *testing.T, a *app, _ *user, id int64) {
			if code, _ := a.signIn(t, "admin").Post(t, fmt.Sprintf("/admin/users/%d/password", id), url.Values{"password": {"another long one"}}); code != http.StatusSeeOther {
				t.Fatalf("reset = %d", code)
			}
		}},
		{"own password changed in another browser", func(t *testing.T, a *app, _ *user, _ int64) {
			other := a.signIn(t, "olive")
			if code, _ := other.Post(t, "/account/password", url.Values{"current": {password}, "password": {"another long one"}}); code != http.StatusSeeOther {
				t.Fatalf("change = %d", code)
			}
		}},
		{"demoted", func(t *testing.T, a *app, _ *user, id int64) {
			if code, _ := a.signIn(t, "admin").Post(t, fmt.Sprintf("/admin/users/%d/role", id), url.Values{"role": {accounts.RoleQA}}); code != http.StatusSeeOther {
				t.Fatalf("role = %d", code)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, storetest.SQLite(t))
			olive := a.signIn(t, "olive")
			u, _ := a.store.GetUserByName(t.Context(), "olive")
			list := openLive(t, olive, "/live/sessions")
			tc.end(t, a, olive, u.ID)
			waitClosed(t, list)
		})
	}
}

// TestLiveSocketsCloseOnEveryInstance signs olive in on one instance and
// disables her on another: the revocation travels through Postgres.
func TestLiveSocketsCloseOnEveryInstance(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	st := storetest.Open(t, dbURL)
	instance := func() (*accounts.Service, string) {
		b, err := live.NewPGBroker(t.Context(), dbURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		people := accounts.New(accounts.Config{Store: st, Live: b})
		svc := conversation.New(conversation.Config{Store: st, Live: b})
		srv := httptest.NewServer(handlers.NewRouter(handlers.Deps{Health: st, Sessions: svc, Callbacks: svc, Live: b, Accounts: people}))
		t.Cleanup(srv.Close)
		return people, srv.URL
	}
	peopleA, _ := instance()
	_, urlB := instance()
	if _, err := peopleA.Bootstrap(t.Context(), "admin", password); err != nil {
		t.Fatal(err)
	}
	admin := accounts.Actor{Username: "admin"}
	if err := peopleA.CreateUser(t.Context(), admin, "olive", password, accounts.RoleOperator); err != nil {
		t.Fatal(err)
	}
	olive := (&app{URL: urlB}).signIn(t, "olive")
	list := openLive(t, olive, "/live/sessions")
	u, _ := st.GetUserByName(t.Context(), "olive")
	if err := peopleA.SetDisabled(t.Context(), admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, list)
}

func TestSigningOutOneBrowserKeepsTheOthersLive(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	here, there := a.signIn(t, "admin"), a.signIn(t, "admin")
	hereList, thereList := openLive(t, here, "/live/sessions"), openLive(t, there, "/live/sessions")
	if code, _ := here.Post(t, "/logout", nil); code != http.StatusSeeOther {
		t.Fatalf("sign out = %d", code)
	}
	waitClosed(t, hereList)
	// The other browser still streams: a new session reaches it.
	a.startSession(t, there)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, msg, err := thereList.Read(ctx); err != nil || !strings.Contains(string(msg), "session-rows") {
		t.Fatalf("the other browser's socket: %q, %v", msg, err)
	}
}
