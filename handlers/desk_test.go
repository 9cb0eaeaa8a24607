package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// waitUntil polls cond until it holds or ten seconds pass.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPausedDeliveryArrivesOnceAfterResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		admin := a.signIn(t, "admin")
		sid := a.startSession(t, admin)
		s, _ := a.store.GetSession(t.Context(), sid)

		if code, _ := admin.Post(t, "/sim/deliveries/pause", nil); code != http.StatusSeeOther {
			t.Fatalf("pause = %d", code)
		}
		texts := []string{"first while paused", "second while paused", "third while paused"}
		for _, text := range texts {
			if code, _ := admin.Post(t, "/sessions/"+sid+"/messages", url.Values{"text": {text}}); code != http.StatusSeeOther {
				t.Fatalf("send %q = %d", text, code)
			}
		}
		// The agent answers in the simulator, but nothing reaches Parley.
		waitUntil(t, "the simulated agent to answer", func() bool {
			tr, _ := a.sim.Transcript(s.AlvariaSessionID)
			n := 0
			for _, e := range tr {
				if e.Role == simulator.RoleAgent && strings.Contains(e.Text, "while paused") {
					n++
				}
			}
			return n == len(texts)
		})
		before, _ := a.store.ListMessages(t.Context(), sid)
		for _, m := range before {
			if m.Direction == store.DirectionAgent && strings.Contains(m.Text, "while paused") {
				t.Fatalf("delivered while paused: %q", m.Text)
			}
		}

		if code, _ := admin.Post(t, "/sim/deliveries/resume", nil); code != http.StatusSeeOther {
			t.Fatalf("resume = %d", code)
		}
		waitUntil(t, "the held replies", func() bool {
			ms, _ := a.store.ListMessages(t.Context(), sid)
			n := 0
			for _, m := range ms {
				if m.Direction == store.DirectionAgent && strings.Contains(m.Text, "while paused") {
					n++
				}
			}
			return n == len(texts)
		})
		time.Sleep(200 * time.Millisecond) // room for a duplicate, if there were one
		ms, _ := a.store.ListMessages(t.Context(), sid)
		seen := map[string]int{}
		for _, m := range ms {
			if m.Direction == store.DirectionAgent {
				seen[m.Text]++
			}
		}
		for _, text := range texts {
			if n := seen[simulator.EchoText(text)]; n != 1 {
				t.Errorf("%q arrived %d times", simulator.EchoText(text), n)
			}
		}
		// Every attempt the simulator made was answered 200 exactly once per event.
		accepted := map[string]int{}
		for _, d := range a.sim.Deliveries() {
			if d.OK() {
				accepted[d.EventID]++
			}
		}
		for id, n := range accepted {
			if n != 1 {
				t.Errorf("event %s accepted %d times", id, n)
			}
		}
		if got, _ := a.store.CountEvents(t.Context()); int(got) != len(accepted) {
			t.Errorf("stored %d events, simulator delivered %d", got, len(accepted))
		}
	})
}

func TestDeskActionsAsTheAgent(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	sid := a.startSession(t, admin)
	s, _ := a.store.GetSession(t.Context(), sid)
	desk := "/sim/desk/" + s.AlvariaSessionID

	if code, page := admin.Get(t, "/sim/desk"); code != http.StatusOK || !strings.Contains(page, "Ada") {
		t.Fatalf("desk = %d\n%s", code, page)
	}
	if code, _ := admin.Post(t, desk+"/take-over", nil); code != http.StatusSeeOther {
		t.Fatalf("take over = %d", code)
	}
	admin.Post(t, "/sessions/"+sid+"/messages", url.Values{"text": {"anyone there?"}})
	if code, _ := admin.Post(t, desk+"/reply", url.Values{"text": {"A person answers."}}); code != http.StatusSeeOther {
		t.Fatalf("reply = %d", code)
	}
	if code, _ := admin.Post(t, desk+"/transfer", url.Values{"work_type_id": {"45"}}); code != http.StatusSeeOther {
		t.Fatalf("transfer = %d", code)
	}
	waitUntil(t, "the reply and the transfer in the console", func() bool {
		ms, _ := a.store.ListMessages(t.Context(), sid)
		var texts []string
		for _, m := range ms {
			texts = append(texts, m.Text)
		}
		all := strings.Join(texts, "|")
		return strings.Contains(all, "A person answers.") && strings.Contains(all, "Transferred to work type 45")
	})
	ms, _ := a.store.ListMessages(t.Context(), sid)
	for _, m := range ms {
		if m.Text == simulator.EchoText("anyone there?") {
			t.Error("the automatic agent answered a taken-over session")
		}
	}
	if code, _ := admin.Post(t, desk+"/end", nil); code != http.StatusSeeOther {
		t.Fatalf("end = %d", code)
	}
	waitUntil(t, "the session to end", func() bool {
		got, _ := a.store.GetSession(t.Context(), sid)
		return got.State == store.SessionEnded
	})
	if code, _ := admin.Post(t, desk+"/reply", url.Values{"text": {"too late"}}); code != http.StatusConflict {
		t.Errorf("reply to an ended session = %d, want 409", code)
	}
	if code, _ := admin.Post(t, "/sim/desk/no-such-session/end", nil); code != http.StatusNotFound {
		t.Errorf("unknown session = %d, want 404", code)
	}
}

func TestDeskNeedsSignInAndTheRole(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	if code, loc := a.anonymous().Get(t, "/sim/desk"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("anonymous desk = %d %q", code, loc)
	}
	quinn := a.signIn(t, "quinn")
	if code, _ := quinn.Get(t, "/sim/deliveries"); code != http.StatusOK {
		t.Fatalf("QA reading deliveries = %d", code)
	}
	if code, _ := quinn.Post(t, "/sim/deliveries/pause", nil); code != http.StatusForbidden {
		t.Fatalf("QA pausing delivery = %d, want 403", code)
	}
	admin := a.signIn(t, "admin")
	if code, _ := admin.Post(t, "/sim/deliveries/pause", url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Fatalf("forged pause = %d, want 403", code)
	}
	if a.sim.DeliveryPaused() {
		t.Fatal("delivery paused by a refused request")
	}
	// The delivery log's JSON holds transcripts and JWTs: people only.
	if code, loc := a.anonymous().Get(t, "/sim/simulator/deliveries"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("anonymous delivery log = %d %q", code, loc)
	}
	if code, body := quinn.Get(t, "/sim/simulator/deliveries"); code != http.StatusOK || !strings.HasPrefix(body, "[") {
		t.Fatalf("signed-in delivery log = %d %q", code, body)
	}
	// The API stays open to applications, which sign their own calls.
	resp, err := http.Get(a.URL + "/sim/simulator/public-key.pem")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("public key: %v %v", resp, err)
	}
	resp.Body.Close()
}

// readUntil reads a live socket's updates until one holds want.
func readUntil(t *testing.T, conn *websocket.Conn, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no update with %q: %v", want, err)
		}
		if strings.Contains(string(msg), want) {
			return
		}
	}
}

// The desk streams like the console: its pages subscribe to the broker the
// simulator publishes to, and an agent's action reaches them through it.
func TestDeskPagesStreamThroughTheBroker(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	sid := a.startSession(t, admin)
	s, _ := a.store.GetSession(t.Context(), sid)
	desk := "/sim/desk/" + s.AlvariaSessionID

	session := openLive(t, admin, desk+"/live")
	deliveries := openLive(t, admin, "/sim/deliveries/live")
	list := openLive(t, admin, "/sim/desk/live")
	if n := a.live.Subscribers(simulator.ChangesTopic); n != 3 {
		t.Fatalf("%d desk pages listen on the broker, want 3", n)
	}

	if code, _ := admin.Post(t, desk+"/take-over", nil); code != http.StatusSeeOther {
		t.Fatalf("take over = %d", code)
	}
	readUntil(t, session, "Hand back")
	readUntil(t, list, "taken over")
	if code, _ := admin.Post(t, "/sim/deliveries/pause", nil); code != http.StatusSeeOther {
		t.Fatalf("pause = %d", code)
	}
	readUntil(t, deliveries, "Delivery paused")
}

// brokenDesk is the simulator with an action failing in a way the desk does
// not know.
type brokenDesk struct{ *simulator.Simulator }

func (brokenDesk) TakeOver(string) error { return errors.New("take over: disk full at /var/secret") }

func TestDeskAnswersAnUnexpectedError500WithoutItsDetail(t *testing.T) {
	sim, err := simulator.New(simulator.Config{CallbackURL: "http://127.0.0.1:1/callbacks", SigningKey: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	var logged bytes.Buffer
	srv := httptest.NewServer(handlers.NewStandaloneSimulator(sim.Handler(), handlers.DeskDeps{
		Log: slog.New(slog.NewTextHandler(&logged, nil)), Simulator: brokenDesk{sim}, Origins: []string{"http://127.0.0.1:9090"},
	}))
	t.Cleanup(srv.Close)

	for _, async := range []bool{true, false} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/desk/some-session/take-over", nil)
		req.Header.Set("Origin", "http://127.0.0.1:9090")
		if async {
			req.Header.Set("X-Parley-Async", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body.String(), "secret") {
			t.Errorf("async=%v: %d %s, want 500 without the detail", async, resp.StatusCode, body.String())
		}
		if async {
			var reply struct{ Error string }
			if json.Unmarshal(body.Bytes(), &reply) != nil || reply.Error == "" {
				t.Errorf("async answer %s names no problem", body.String())
			}
		}
	}
	if !strings.Contains(logged.String(), "disk full at /var/secret") {
		t.Errorf("the log lacks the detail:\n%s", logged.String())
	}
}
