package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/input"
)

// failingSessions is a SessionService whose every call fails with err.
type failingSessions struct{ err error }

func (f failingSessions) ListSessions(context.Context, conversation.ListQuery) (conversation.SessionList, error) {
	return conversation.SessionList{}, f.err
}

func (f failingSessions) SessionsChanged(context.Context, time.Time, []string) (conversation.ChangedSessions, error) {
	return conversation.ChangedSessions{}, f.err
}

func (f failingSessions) Session(context.Context, string) (conversation.Session, error) {
	return conversation.Session{}, f.err
}

func (f failingSessions) SessionDetail(context.Context, string) (conversation.Detail, error) {
	return conversation.Detail{}, f.err
}

func (f failingSessions) SessionPage(context.Context, string, conversation.Window) (conversation.Detail, error) {
	return conversation.Detail{}, f.err
}

func (f failingSessions) Changes(context.Context, string, int64) (conversation.Detail, error) {
	return conversation.Detail{}, f.err
}

func (f failingSessions) StartSession(context.Context, conversation.StartInput) (conversation.Session, error) {
	return conversation.Session{}, f.err
}

func (f failingSessions) SendMessage(context.Context, string, conversation.MessageInput) (conversation.Message, error) {
	return conversation.Message{}, f.err
}

func (f failingSessions) EndSession(context.Context, string, accounts.Actor) error { return f.err }

func (f failingSessions) ScenarioFromSession(context.Context, string) (string, error) {
	return "", f.err
}

func (f failingSessions) ReviewSession(context.Context, string, conversation.ReviewInput) error {
	return f.err
}

func (f failingSessions) ExportTranscript(context.Context, string, string, accounts.Actor) (conversation.Detail, error) {
	return conversation.Detail{}, f.err
}

func (f failingSessions) ExportTranscripts(context.Context, conversation.ListQuery, accounts.Actor, func(conversation.Detail) error) error {
	return f.err
}
func (f failingSessions) CommentOnMessage(context.Context, string, int64, string, accounts.Actor) error {
	return f.err
}
func (f failingSessions) TagSession(context.Context, string, string, accounts.Actor) error {
	return f.err
}
func (f failingSessions) UntagSession(context.Context, string, string, accounts.Actor) error {
	return f.err
}
func (f failingSessions) ExportSessions(context.Context, conversation.ListQuery, accounts.Actor) ([]conversation.Session, error) {
	return nil, f.err
}

// signedInAdmin is an AccountService that knows one admin, whatever the
// cookie; the screens under test need nothing else of it.
type signedInAdmin struct{ handlers.AccountService }

const fakeCSRF = "csrf-token"

func (signedInAdmin) Authenticate(context.Context, string) (accounts.Principal, string, error) {
	return accounts.Principal{ID: 1, Username: "ada", Role: accounts.RoleAdmin}, fakeCSRF, nil
}

// errorKinds are the services' errors with what people are told of each.
var errorKinds = []struct {
	name       string
	err        error
	postStatus int // for a form; a GET's input errors are the link's fault, 400
	getStatus  int
	message    string
}{
	{"not found", fmt.Errorf("load: %w", conversation.ErrNotFound), 404, 404, "There is no session with this address."},
	{"input error", input.Invalid("text", "Text is required"), 422, 400, "Text is required."},
	{"Alvaria error", &conversation.AlvariaError{Op: "end the session", Status: 503, Message: "busy"}, 502, 502, "Alvaria could not end the session: busy"},
	{"credentials", &conversation.AlvariaError{Op: "end the session", Status: 401, Message: "Alvaria refused Parley's credentials (token service answered 401)"}, 502, 502, "Alvaria could not end the session: Alvaria refused Parley's credentials (token service answered 401)"},
	{"session closed", conversation.ErrSessionClosed, 409, 409, "This session has ended: no more messages can be sent."},
	{"bad cursor", conversation.ErrBadCursor, 400, 400, "The page link is not valid; start again from the first page."},
	{"user not found", accounts.ErrNotFound, 404, 404, "There is no such user."},
	{"throttled", &accounts.ThrottledError{Wait: 30 * time.Second}, 429, 429, "Too many failed sign-ins; try again in 30s."},
	{"signed out", accounts.ErrSignedOut, 401, 401, "You are signed out. Sign in again, then retry."},
}

// failingConsole serves the console over sessions failing with err, and
// returns the log it writes.
func failingConsole(t *testing.T, err error) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	srv := httptest.NewServer(handlers.NewRouter(handlers.Deps{
		Log:      slog.New(slog.NewTextHandler(&log, nil)),
		Sessions: failingSessions{err: err},
		Accounts: signedInAdmin{},
	}))
	t.Cleanup(srv.Close)
	return srv, &log
}

// ask sends one request as the page script (async), an API client (JSON)
// or a browser (page), and returns the status, the sentence shown and the
// request id.
func ask(t *testing.T, srv *httptest.Server, how, method, path string) (int, string, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"csrf": {fakeCSRF}, "text": {"hello"}}.Encode())
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch how {
	case "async":
		req.Header.Set("X-Parley-Async", "1")
	case "json":
		req.Header.Set("Accept", "application/json")
	default:
		req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	id := resp.Header.Get("X-Request-Id")
	if how == "page" {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("%s %s as a page: Content-Type %q", method, path, ct)
		}
		return resp.StatusCode, string(raw), id
	}
	var reply struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		t.Fatalf("%s %s as %s: not JSON: %s", method, path, how, raw)
	}
	return resp.StatusCode, reply.Error, id
}

func TestErrorKindsBecomeResponses(t *testing.T) {
	requests := []struct {
		how, method, path string
	}{
		{"page", http.MethodGet, "/sessions/s-1"},
		{"json", http.MethodGet, "/sessions/s-1"},
		{"page", http.MethodPost, "/sessions/s-1/end"},
		{"async", http.MethodPost, "/sessions/s-1/end"},
		{"async", http.MethodPost, "/sessions/s-1/messages"},
		{"json", http.MethodPost, "/sessions/s-1/review"},
	}
	for _, kind := range errorKinds {
		t.Run(kind.name, func(t *testing.T) {
			srv, _ := failingConsole(t, kind.err)
			for _, r := range requests {
				t.Run(r.how+" "+r.method+" "+r.path, func(t *testing.T) {
					want := kind.postStatus
					if r.method == http.MethodGet {
						want = kind.getStatus
					}
					status, said, _ := ask(t, srv, r.how, r.method, r.path)
					if status != want {
						t.Errorf("status %d, want %d", status, want)
					}
					if r.how == "page" && !strings.Contains(said, htmlEscape(kind.message)) || r.how != "page" && said != kind.message {
						t.Errorf("said %q, want %q", said, kind.message)
					}
				})
			}
		})
	}
}

func TestUnknownErrorIsA500WithTheRequestID(t *testing.T) {
	const detail = "pq: connection reset by peer"
	for _, how := range []string{"page", "json", "async"} {
		t.Run(how, func(t *testing.T) {
			srv, log := failingConsole(t, fmt.Errorf("list messages of s-1: %w", errors.New(detail)))
			method, path := http.MethodGet, "/sessions/s-1"
			if how == "async" {
				method, path = http.MethodPost, "/sessions/s-1/end"
			}
			status, said, id := ask(t, srv, how, method, path)
			if status != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", status)
			}
			if id == "" || !strings.Contains(said, "request id "+id) {
				t.Errorf("response %q does not name the request id %q", said, id)
			}
			if strings.Contains(said, detail) {
				t.Errorf("response shows the detail: %q", said)
			}
			for _, want := range []string{detail, "request_id=" + id} {
				if !strings.Contains(log.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
		})
	}
}

func TestUnknownPageIsNotFoundInEveryFormat(t *testing.T) {
	srv, _ := failingConsole(t, nil)
	for _, how := range []string{"page", "json"} {
		t.Run(how, func(t *testing.T) {
			status, said, _ := ask(t, srv, how, http.MethodGet, "/no/such/page")
			if status != http.StatusNotFound || !strings.Contains(said, "There is no page at this address.") {
				t.Errorf("%d %q", status, said)
			}
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
