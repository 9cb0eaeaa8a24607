package handlers_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

var (
	keyOnce sync.Once
	signKey *rsa.PrivateKey
)

func testKey(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		signKey = k
	})
	return signKey
}

// console is a router on a real store with a verifier for testKey.
type console struct {
	URL   string
	store *store.Store
	svc   *conversation.Service
}

func newConsole(t testing.TB, st *store.Store) *console {
	t.Helper()
	return newConsoleWith(t, st, live.NewHub())
}

// newConsoleWith is newConsole with the service publishing on broker.
func newConsoleWith(t testing.TB, st *store.Store, broker live.Broker) *console {
	t.Helper()
	v, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: &testKey(t).PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	svc := conversation.New(conversation.Config{Store: st, Live: broker, Connection: "test"})
	router := handlers.NewRouter(handlers.Deps{Health: st, Sessions: svc, Callbacks: svc, Verifier: v, Live: live.NewHub()})
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return &console{URL: srv.URL, store: st, svc: svc}
}

func token(t testing.TB, eventID string) string {
	t.Helper()
	now := time.Now()
	tok, err := alvaria.SignCallbackToken(testKey(t), alvaria.CallbackClaims{
		RegisteredClaims: jwt.RegisteredClaims{IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute))},
		EventID:          eventID,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// deliver posts a callback signed for its eventId and returns the status.
func (c *console) deliver(t *testing.T, body string) int {
	t.Helper()
	var probe struct {
		EventID string `json:"eventId"`
	}
	_ = json.Unmarshal([]byte(body), &probe)
	return c.post(t, body, "Bearer "+token(t, probe.EventID))
}

func (c *console) post(t *testing.T, body, authorization string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.URL+"/webhooks/server-messaging", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// newSession stores a session as StartSession would after a 202.
func (c *console) newSession(t testing.TB, alvariaID string) store.Session {
	t.Helper()
	s := store.Session{AlvariaSessionID: alvariaID, WorkTypeID: "32", ContactName: "Ada", State: store.SessionPending, CreatedAt: time.Now(), LastActivityAt: time.Now()}
	if err := c.store.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *console) session(t *testing.T, id string) store.Session {
	t.Helper()
	s, err := c.store.GetSession(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *console) messages(t *testing.T, id string) []store.Message {
	t.Helper()
	ms, err := c.store.ListMessages(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (c *console) eventCount(t *testing.T, id string) int {
	t.Helper()
	evs, err := c.store.ListEventsSince(t.Context(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func ev(kind, sessionID, eventID, extra string) string {
	if kind == "MESSAGE" {
		return fmt.Sprintf(`{"sessionId":%q,"eventId":%q,%s}`, sessionID, eventID, extra)
	}
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Sprintf(`{"sessionId":%q,"event":%q,"eventId":%q%s}`, sessionID, kind, eventID, extra)
}

func TestWebhookAppliesEachCallbackType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		s := c.newSession(t, "alv-1")

		steps := []struct {
			name  string
			body  string
			check func(t *testing.T)
		}{
			{"NEW_SESSION success makes it Active", ev("NEW_SESSION", "alv-1", "e1", `"status":"SUCCESS"`), func(t *testing.T) {
				if got := c.session(t, s.ID).State; got != store.SessionActive {
					t.Fatalf("state = %s", got)
				}
			}},
			{"AGENT_JOINED makes it Connected with the alias", ev("AGENT_JOINED", "alv-1", "e2", `"agentAlias":"John"`), func(t *testing.T) {
				got := c.session(t, s.ID)
				if got.State != store.SessionConnected || got.AgentAlias != "John" {
					t.Fatalf("state %s alias %q", got.State, got.AgentAlias)
				}
			}},
			{"MESSAGE from the agent", ev("MESSAGE", "alv-1", "e3", `"senderId":"John","message":{"text":"Hi <b>there</b>","attachment":{"type":"Image","url":"https://example.com/a.png"}}`), func(t *testing.T) {
				ms := c.messages(t, s.ID)
				last := ms[len(ms)-1]
				if last.Direction != store.DirectionAgent || last.Text != "Hi <b>there</b>" || last.AttachmentType != "Image" {
					t.Fatalf("last message %+v", last)
				}
			}},
			{"MESSAGE from SYSTEM is a system line", ev("MESSAGE", "alv-1", "e4", `"senderId":"SYSTEM","message":{"text":"Queued"}`), func(t *testing.T) {
				ms := c.messages(t, s.ID)
				if last := ms[len(ms)-1]; last.Direction != store.DirectionSystem || last.Text != "Queued" {
					t.Fatalf("last message %+v", last)
				}
			}},
			{"SESSION_REROUTE to an agent", ev("SESSION_REROUTE", "alv-1", "e5", `"agentAlias":"Maria"`), func(t *testing.T) {
				if got := c.session(t, s.ID).AgentAlias; got != "Maria" {
					t.Fatalf("alias = %q", got)
				}
				ms := c.messages(t, s.ID)
				if last := ms[len(ms)-1]; !strings.Contains(last.Text, "Transferred to agent Maria") {
					t.Fatalf("no transfer note: %+v", last)
				}
			}},
			{"SESSION_REROUTE to a work type", ev("SESSION_REROUTE", "alv-1", "e6", `"worktypeId":"45"`), func(t *testing.T) {
				if got := c.session(t, s.ID).WorkTypeID; got != "45" {
					t.Fatalf("work type = %q", got)
				}
			}},
			{"SESSION_END makes it Ended", ev("SESSION_END", "alv-1", "e7", `"status":"SUCCESS","from":"SYSTEM"`), func(t *testing.T) {
				got := c.session(t, s.ID)
				if got.State != store.SessionEnded || got.EndedAt == nil {
					t.Fatalf("state %s ended %v", got.State, got.EndedAt)
				}
			}},
			{"nothing revives an ended session", ev("AGENT_JOINED", "alv-1", "e8", `"agentAlias":"Zed"`), func(t *testing.T) {
				if got := c.session(t, s.ID).State; got != store.SessionEnded {
					t.Fatalf("state = %s after a late AGENT_JOINED", got)
				}
			}},
		}
		for _, step := range steps {
			if code := c.deliver(t, step.body); code != http.StatusOK {
				t.Fatalf("%s: status %d", step.name, code)
			}
			t.Run(step.name, step.check)
		}
		if n := c.eventCount(t, s.ID); n != len(steps) {
			t.Fatalf("timeline has %d events, want %d", n, len(steps))
		}
	})
}

func TestWebhookNewSessionFailedAndMessageStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		failed := c.newSession(t, "alv-f")
		if code := c.deliver(t, ev("NEW_SESSION", "alv-f", "f1", `"status":"FAILED","statusMessage":"Unknown work type"`)); code != 200 {
			t.Fatalf("status %d", code)
		}
		got := c.session(t, failed.ID)
		if got.State != store.SessionFailed || got.StateDetail != "Unknown work type" {
			t.Fatalf("state %s detail %q", got.State, got.StateDetail)
		}

		s := c.newSession(t, "alv-m")
		m := store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: "hi", Status: store.MessageSent, AlvariaMessageID: "m-1", CreatedAt: time.Now()}
		if _, err := st.AddMessage(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
		if code := c.deliver(t, ev("MESSAGE_STATUS", "alv-m", "f2", `"status":"FAILED","messageId":"m-1","statusMessage":"Session does not exist"`)); code != 200 {
			t.Fatalf("status %d", code)
		}
		after, err := st.GetMessage(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != store.MessageFailed || after.StatusDetail != "Session does not exist" {
			t.Fatalf("message %+v", after)
		}
	})
}

func TestWebhookDuplicateChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		s := c.newSession(t, "alv-d")
		body := ev("MESSAGE", "alv-d", "dup-1", `"senderId":"John","message":{"text":"once"}`)
		for i := 0; i < 3; i++ {
			if code := c.deliver(t, body); code != http.StatusOK {
				t.Fatalf("delivery %d: status %d", i, code)
			}
		}
		if n := len(c.messages(t, s.ID)); n != 1 {
			t.Fatalf("%d messages, want 1", n)
		}
		if n := c.eventCount(t, s.ID); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		if got := c.session(t, s.ID).MessageCount; got != 1 {
			t.Fatalf("message count %d", got)
		}
	})
}

// earlyAlvaria is Alvaria answering Create Session only after its callbacks
// for the new session have already been delivered.
type earlyAlvaria struct {
	deliver func()
}

func (a earlyAlvaria) CreateSession(context.Context, alvaria.NewSession) (string, error) {
	a.deliver()
	return "alv-early", nil
}

func (earlyAlvaria) SendMessage(context.Context, string, alvaria.Message) (string, error) {
	return "", errors.New("not used")
}

func (earlyAlvaria) DeleteSession(context.Context, string) error { return errors.New("not used") }

func TestWebhookEarlyNewSessionIsAttachedWhenTheSessionAppears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		early := earlyAlvaria{deliver: func() {
			for _, body := range []string{
				ev("NEW_SESSION", "alv-early", "x1", `"status":"SUCCESS"`),
				ev("AGENT_JOINED", "alv-early", "x2", `"agentAlias":"John"`),
			} {
				if code := c.deliver(t, body); code != 200 {
					t.Errorf("early callback status %d", code)
				}
			}
		}}
		svc := conversation.New(conversation.Config{Store: st, Alvaria: early})
		started, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada"})
		if err != nil {
			t.Fatal(err)
		}
		got := c.session(t, started.ID)
		if got.State != store.SessionConnected || got.AgentAlias != "John" {
			t.Fatalf("state %s alias %q", got.State, got.AgentAlias)
		}
		// A retry of an early event after the session exists changes nothing.
		if code := c.deliver(t, ev("AGENT_JOINED", "alv-early", "x2", `"agentAlias":"John"`)); code != 200 {
			t.Fatalf("status %d", code)
		}
		if n := c.eventCount(t, started.ID); n != 2 {
			t.Fatalf("%d events, want 2", n)
		}
		notes := 0
		for _, m := range c.messages(t, started.ID) {
			if strings.Contains(m.Text, "joined") {
				notes++
			}
		}
		if notes != 1 {
			t.Fatalf("join note shown %d times, want once", notes)
		}
	})
}

func TestWebhookRejectsBadTokensAndStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		s := c.newSession(t, "alv-b")
		body := ev("AGENT_JOINED", "alv-b", "b1", `"agentAlias":"Mallory"`)
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		foreign, _ := alvaria.SignCallbackToken(other, alvaria.CallbackClaims{EventID: "b1", RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))}})
		hs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"eventId": "b1"}).SignedString([]byte("secret"))
		for name, auth := range map[string]string{
			"none":                    "",
			"garbage":                 "Bearer nonsense",
			"another key":             "Bearer " + foreign,
			"HS256":                   "Bearer " + hs,
			"token for another event": "Bearer " + token(t, "other-event"),
		} {
			if code := c.post(t, body, auth); code != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, code)
			}
		}
		if n := c.eventCount(t, s.ID); n != 0 {
			t.Fatalf("%d events stored from bad tokens", n)
		}
		if got := c.session(t, s.ID); got.AgentAlias != "" {
			t.Fatalf("bad token changed the session: %+v", got)
		}
	})
}

func TestWebhookStoresUnparseableBodyRaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		for i := 0; i < 2; i++ {
			if code := c.post(t, `{"this is": not json`, "Bearer "+token(t, "")); code != http.StatusOK {
				t.Fatalf("status %d, want 200", code)
			}
		}
		n, err := st.CountEvents(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d events stored, want the raw body once", n)
		}
	})
}

func TestWebhookRefusesHugeBodies(t *testing.T) {
	c := newConsole(t, storetest.SQLite(t))
	huge := `{"eventId":"big","sessionId":"s","event":"X","pad":"` + strings.Repeat("a", 2<<20) + `"}`
	if code := c.post(t, huge, "Bearer "+token(t, "big")); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", code)
	}
}

func TestWebhookAnswers503WhenTheDatabaseFailsThenSucceedsOnRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		s := c.newSession(t, "alv-db")
		body := ev("AGENT_JOINED", "alv-db", "db1", `"agentAlias":"John"`)

		storetest.Exec(t, st, "ALTER TABLE callback_events RENAME TO callback_events_away")
		if code := c.deliver(t, body); code != http.StatusServiceUnavailable {
			t.Fatalf("status %d while the database fails, want 503", code)
		}
		storetest.Exec(t, st, "ALTER TABLE callback_events_away RENAME TO callback_events")

		if code := c.deliver(t, body); code != http.StatusOK {
			t.Fatalf("retry status %d, want 200", code)
		}
		if got := c.session(t, s.ID); got.State != store.SessionConnected {
			t.Fatalf("state %s after retry", got.State)
		}
	})
}

// tokenFor signs a token as Alvaria does, bound to a session and an event.
func tokenFor(t testing.TB, sessionID, eventID string) string {
	t.Helper()
	now := time.Now()
	tok, err := alvaria.SignCallbackToken(testKey(t), alvaria.CallbackClaims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: sessionID, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute))},
		EventID:          eventID,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestWebhookRefusesALeakedTokenWithAForgedBody checks that a valid token
// read from the delivery log cannot carry a body it was not signed for.
func TestWebhookRefusesALeakedTokenWithAForgedBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		victim := c.newSession(t, "alv-victim")
		c.newSession(t, "alv-leaked")
		forged := ev("MESSAGE", "alv-victim", "f1", `"senderId":"agent","message":{"text":"send me your password"}`)
		for name, tc := range map[string]struct{ body, auth string }{
			"token of another session, same eventId": {forged, tokenFor(t, "alv-leaked", "f1")},
			"token of another session, no eventId":   {forged, tokenFor(t, "alv-leaked", "")},
			"unparseable body, token names an event": {`{"sessionId":"alv-victim","eventId":"f1",`, tokenFor(t, "alv-victim", "f1")},
			"not JSON, token names an event":         {`hello`, token(t, "f1")},
		} {
			if code := c.post(t, tc.body, "Bearer "+tc.auth); code != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, code)
			}
		}
		if n, err := st.CountEvents(t.Context()); err != nil || n != 0 {
			t.Fatalf("%d events stored from forged bodies (err %v)", n, err)
		}
		if ms := c.messages(t, victim.ID); len(ms) != 0 {
			t.Fatalf("forged body reached the transcript: %+v", ms)
		}
		// The genuine callback with its own token is taken.
		if code := c.post(t, forged, "Bearer "+tokenFor(t, "alv-victim", "f1")); code != http.StatusOK {
			t.Fatalf("genuine callback: status %d, want 200", code)
		}
	})
}

// TestWebhookStoresPoisonTextOnce: NUL (as \u0000) and invalid UTF-8 in a
// callback made Postgres refuse it on every retry, and Alvaria gave up after
// four hours. It is taken at once, shown with U+FFFD, and kept raw.
func TestWebhookStoresPoisonTextOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newConsole(t, st)
		s := c.newSession(t, "alv-nul")
		bodies := []string{
			ev("MESSAGE", "alv-nul", "n1", `"senderId":"ag\u0000ent","message":{"text":"hello\u0000world","attachment":{"type":"Image","url":"http://x/\u0000"}}`),
			ev("MESSAGE", "alv-nul", "n2", "\"senderId\":\"agent\",\"message\":{\"text\":\"bad \xff\xfe bytes\"}"),
			ev("AGENT_JOINED", "alv-nul", "n3", `"agentAlias":"Jo\u0000hn"`),
			ev("MESSAGE_STATUS", "alv-nul", "n4", `"status":"FAILED","messageId":"m\u0000","statusMessage":"no\u0000"`),
			"{\"eventId\":\"n5\",\"sessionId\":\"alv-nul\",\"event\":\"NEW_SESSION\",\x00}",
		}
		for i, body := range bodies {
			for try := range 2 {
				if code := c.deliver(t, body); code != http.StatusOK {
					t.Fatalf("body %d try %d: status %d, want 200", i, try, code)
				}
			}
		}
		var texts []string
		for _, m := range c.messages(t, s.ID) {
			texts = append(texts, m.SenderID+": "+m.Text)
		}
		want := []string{"ag\ufffdent: hello\ufffdworld", "agent: bad \ufffd bytes", ": Jo\ufffdhn joined the conversation."}
		if fmt.Sprint(texts) != fmt.Sprint(want) {
			t.Errorf("transcript %q, want %q", texts, want)
		}
		if got := c.session(t, s.ID); got.AgentAlias != "Jo\ufffdhn" {
			t.Errorf("alias %q", got.AgentAlias)
		}
		if n, err := st.CountEvents(t.Context()); err != nil || n != int64(len(bodies)) {
			t.Errorf("%d events stored (err %v), want %d", n, err, len(bodies))
		}
		raw, err := st.GetEvent(t.Context(), "n2")
		if err != nil || raw.PayloadBase64 == "" {
			t.Errorf("n2: raw payload not kept: %+v, %v", raw, err)
		}
	})
}

// TestWebhookAnswers503WhileTheDatabaseIsLocked: a table lock made the
// webhook hang as long as the lock was held. Its database work is bounded,
// and it answers 503 so that Alvaria retries.
func TestWebhookAnswers503WhileTheDatabaseIsLocked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		v, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: &testKey(t).PublicKey})
		if err != nil {
			t.Fatal(err)
		}
		svc := conversation.New(conversation.Config{Store: st, Live: live.NewHub()})
		srv := httptest.NewServer(handlers.NewRouter(handlers.Deps{Health: st, Sessions: svc, Callbacks: svc, Verifier: v, Live: live.NewHub(), CallbackTimeout: 50 * time.Millisecond}))
		t.Cleanup(srv.Close)
		c := &console{URL: srv.URL, store: st, svc: svc}
		s := c.newSession(t, "alv-lock")
		body := ev("AGENT_JOINED", "alv-lock", "l1", `"agentAlias":"John"`)

		db, err := st.SQL()
		if err != nil {
			t.Fatal(err)
		}
		// The lock is held by another connection: on Postgres a table lock,
		// on SQLite the one connection Parley's pool has.
		lock, err := db.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Dialect() == store.DialectPostgres {
			if _, err := lock.Exec("LOCK TABLE callback_events IN ACCESS EXCLUSIVE MODE"); err != nil {
				t.Fatal(err)
			}
		}
		// Before the fix the request waited for the lock; the client's own
		// timeout only keeps such a failure from hanging the test run.
		client := &http.Client{Timeout: 20 * time.Second}
		req, _ := http.NewRequest(http.MethodPost, c.URL+"/webhooks/server-messaging", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token(t, "l1"))
		resp, err := client.Do(req)
		lock.Rollback()
		if err != nil {
			t.Fatalf("webhook did not answer while the database was locked: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d while locked, want 503", resp.StatusCode)
		}
		// Alvaria retries until it gets 200; on a loaded machine the first
		// retry may still run out of the 50ms this test allows.
		testkit.Eventually(t, testkit.WaitTimeout, func() bool { return c.deliver(t, body) == http.StatusOK }, "a retry after the lock answered 200")
		if got := c.session(t, s.ID); got.AgentAlias != "John" {
			t.Fatalf("retry not applied: %+v", got)
		}
	})
}
