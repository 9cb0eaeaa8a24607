package simulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// eventIDs lists the ids of the callbacks in a session's transcript, in the
// order the simulator made them.
func eventIDs(t *testing.T, sim *Simulator, sessionID string) []string {
	t.Helper()
	entries, err := sim.Transcript(sessionID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.EventID != "" {
			out = append(out, e.EventID)
		}
	}
	return out
}

func callbackIDs(cbs []alvaria.Callback) []string {
	out := make([]string, len(cbs))
	for i, cb := range cbs {
		out[i] = cb.CallbackEventID()
	}
	return out
}

// attemptsOf returns the logged attempts of one event, oldest first.
func attemptsOf(sim *Simulator, eventID string) []DeliveryAttempt {
	var out []DeliveryAttempt
	for _, a := range sim.Deliveries() {
		if a.EventID == eventID {
			out = append(out, a)
		}
	}
	slices.Reverse(out)
	return out
}

func TestFailedCallbackIsRetriedAtGrowingIntervals(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour // only NEW_SESSION
	cfg.RetryBaseDelay = 150 * time.Millisecond
	h := newHarness(t, cfg)
	h.rcv.setFailIf(func(_ alvaria.Callback, attempt int) bool { return attempt <= 3 })

	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	h.rcv.waitEvents(t, id, alvaria.EventNewSession)
	eventID := eventIDs(t, h.sim, id)[0]

	reqs := h.rcv.requests(eventID)
	if len(reqs) != 4 {
		t.Fatalf("receiver saw %d requests for the event, want 4", len(reqs))
	}
	for i, r := range reqs {
		want := http.StatusInternalServerError
		if i == 3 {
			want = http.StatusOK
		}
		if r.status != want {
			t.Errorf("request %d answered %d, want %d", i+1, r.status, want)
		}
	}
	var gaps []time.Duration
	for i := 1; i < len(reqs); i++ {
		gaps = append(gaps, reqs[i].at.Sub(reqs[i-1].at))
	}
	if !(gaps[0] < gaps[1] && gaps[1] < gaps[2]) {
		t.Errorf("intervals between attempts %v do not grow", gaps)
	}

	var log []DeliveryAttempt
	waitFor(t, "4 logged attempts", func() bool {
		log = attemptsOf(h.sim, eventID)
		return len(log) == 4
	})
	for i, a := range log {
		wantKind, wantCode := AttemptRetry, http.StatusInternalServerError
		if i == 0 {
			wantKind = AttemptFirst
		}
		if i == 3 {
			wantCode = http.StatusOK
		}
		if a.Attempt != i+1 || a.Kind != wantKind || a.StatusCode != wantCode || a.Event != alvaria.EventNewSession || a.SessionID != id {
			t.Errorf("attempt %d logged as %+v", i+1, a)
		}
		if scheduled := a.NextAttempt != nil; scheduled != (i < 3) {
			t.Errorf("attempt %d: next attempt %v", i+1, a.NextAttempt)
		}
		if a.NextAttempt != nil && !a.NextAttempt.After(a.Time) {
			t.Errorf("attempt %d: next attempt %v is not after %v", i+1, a.NextAttempt, a.Time)
		}
		if i < 3 && a.Error == "" {
			t.Errorf("attempt %d failed without an error text", i+1)
		}
	}
}

func TestRetryingCallbackDoesNotHoldBackTheSession(t *testing.T) {
	h := newHarness(t, quick())
	h.rcv.setFailIf(func(cb alvaria.Callback, _ int) bool { return cb.CallbackEvent() == alvaria.EventNewSession })

	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	// NEW_SESSION keeps failing; the agent's callbacks still get through.
	cbs := h.rcv.waitEvents(t, id, alvaria.EventAgentJoined, alvaria.EventMessage)
	if len(h.rcv.requests(cbs[0].CallbackEventID())) != 1 {
		t.Error("AGENT_JOINED was sent more than once")
	}
	h.rcv.setFailIf(nil)
	h.rcv.waitEvents(t, id, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventNewSession)
}

func TestCallbackIsGivenUpAfterRetryFor(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour
	cfg.RetryFor = 300 * time.Millisecond
	h := newHarness(t, cfg)
	h.rcv.setFailIf(func(alvaria.Callback, int) bool { return true })

	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	eventID := eventIDs(t, h.sim, id)[0]
	var log []DeliveryAttempt
	waitFor(t, "the event to be given up", func() bool {
		log = attemptsOf(h.sim, eventID)
		return len(log) > 0 && log[len(log)-1].GaveUp
	})
	if len(log) < 2 {
		t.Errorf("given up after %d attempts, want retries first", len(log))
	}
	for i, a := range log[:len(log)-1] {
		if a.GaveUp || a.NextAttempt == nil {
			t.Errorf("attempt %d: %+v, want a retry scheduled", i+1, a)
		}
	}
	if last := log[len(log)-1]; last.NextAttempt != nil {
		t.Errorf("last attempt %+v, want no retry scheduled", last)
	}
}

func TestCallbacksOfASessionArriveInOrder(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	const n = 15
	for i := range n {
		h.send(t, id, alvaria.Message{Text: fmt.Sprintf("message %d", i)})
	}
	want := 3 + n
	waitFor(t, "every reply to be delivered", func() bool { return len(h.rcv.accepted(id)) >= want })
	got := callbackIDs(h.rcv.accepted(id))
	if made := eventIDs(t, h.sim, id); !slices.Equal(got, made) {
		t.Fatalf("arrival order differs from the order the events were made:\n got %v\nwant %v", got, made)
	}
	for i, cb := range h.rcv.accepted(id)[3:] {
		if text := cb.(*alvaria.MessageCallback).Message.Text; text != EchoText(fmt.Sprintf("message %d", i)) {
			t.Errorf("reply %d = %q", i, text)
		}
	}
}

func TestPausedDeliveryLosesAndRepeatsNothing(t *testing.T) {
	h := newHarness(t, quick())
	h.sim.PauseDelivery()
	if !h.sim.DeliveryPaused() {
		t.Fatal("DeliveryPaused is false after PauseDelivery")
	}
	var ids []string
	for i := range 3 {
		id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: fmt.Sprint("Customer ", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		// The agent joins and answers while the callbacks are held.
		waitFor(t, "the agent to join "+id, func() bool { return len(eventIDs(t, h.sim, id)) == 3 })
		h.send(t, id, alvaria.Message{Text: "one"})
		h.send(t, id, alvaria.Message{Text: "two"})
	}
	for _, id := range ids {
		waitFor(t, "the agent to answer in "+id, func() bool { return len(eventIDs(t, h.sim, id)) == 5 })
	}
	if n := h.rcv.count(); n != 0 {
		t.Fatalf("%d callbacks were delivered while paused", n)
	}

	h.sim.ResumeDelivery()
	for _, id := range ids {
		waitFor(t, "the held callbacks of "+id, func() bool { return len(h.rcv.accepted(id)) >= 5 })
	}
	for _, id := range ids {
		made := eventIDs(t, h.sim, id)
		if got := callbackIDs(h.rcv.accepted(id)); !slices.Equal(got, made) {
			t.Errorf("session %s: delivered %v, want each of %v once in order", id, got, made)
		}
		for _, eid := range made {
			if n := len(h.rcv.requests(eid)); n != 1 {
				t.Errorf("event %s was sent %d times", eid, n)
			}
		}
	}
}

func TestDuplicateRateSendsEveryCallbackTwice(t *testing.T) {
	cfg := quick()
	cfg.DuplicateRate = 1
	h := newHarness(t, cfg)
	id, _ := h.start(t)
	made := eventIDs(t, h.sim, id)
	for _, eid := range made {
		waitFor(t, "the duplicate of "+eid, func() bool { return len(h.rcv.requests(eid)) == 2 })
	}
	waitFor(t, "logged duplicates", func() bool {
		for _, eid := range made {
			if log := attemptsOf(h.sim, eid); len(log) != 2 || log[1].Kind != AttemptDuplicate || log[1].Attempt != 2 {
				return false
			}
		}
		return true
	})
}

func TestReorderRateSwapsCallbacks(t *testing.T) {
	cfg := quick()
	cfg.ReorderRate = 1
	h := newHarness(t, cfg)
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three callbacks", func() bool { return len(h.rcv.accepted(id)) == 3 })
	got := callbackIDs(h.rcv.accepted(id))
	made := eventIDs(t, h.sim, id)
	if slices.Equal(got, made) {
		t.Errorf("callbacks arrived in the order they were made with ReorderRate 1")
	}
	slices.Sort(got)
	slices.Sort(made)
	if !slices.Equal(got, made) {
		t.Errorf("delivered %v, want exactly %v", got, made)
	}
}

func TestRedeliverSendsTheSameEventAgain(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	first := eventIDs(t, h.sim, id)[0]
	waitFor(t, "the first attempt to be logged", func() bool { return len(attemptsOf(h.sim, first)) == 1 })
	if err := h.sim.Redeliver(first); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the redelivery", func() bool { return len(h.rcv.requests(first)) == 2 })
	reqs := h.rcv.requests(first)
	if reqs[0].cb.(*alvaria.NewSessionCallback).EventID != reqs[1].cb.(*alvaria.NewSessionCallback).EventID {
		t.Error("redelivery changed the event")
	}
	waitFor(t, "the redelivery to be logged", func() bool {
		log := attemptsOf(h.sim, first)
		return len(log) == 2 && log[1].Kind == AttemptRedelivery && log[1].Attempt == 2 && log[1].OK()
	})
	if err := h.sim.Redeliver("no-such-event"); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("Redeliver of an unknown event: %v, want ErrUnknownEvent", err)
	}
}

func TestManyConcurrentSessions(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Millisecond
	h := newHarness(t, cfg)
	const sessions = 500
	ids := make([]string, sessions)
	errs := make(chan error, sessions)
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx := context.Background()
			id, err := h.client.CreateSession(ctx, alvaria.NewSession{WorkTypeID: "32", ContactName: fmt.Sprint("Customer ", i)})
			if err != nil {
				errs <- err
				return
			}
			ids[i] = id
			if _, err := h.client.SendMessage(ctx, id, alvaria.Message{Text: fmt.Sprint("hello ", i)}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, id := range ids {
		waitFor(t, fmt.Sprintf("session %d's reply", i), func() bool { return len(h.rcv.accepted(id)) >= 4 })
		cbs := h.rcv.accepted(id)
		if names := eventNames(cbs[:4]); !slices.Equal(names, []string{alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventMessage}) {
			t.Fatalf("session %d got %v", i, names)
		}
		if text := cbs[3].(*alvaria.MessageCallback).Message.Text; text != EchoText(fmt.Sprint("hello ", i)) {
			t.Fatalf("session %d reply %q", i, text)
		}
	}
	if n := len(h.sim.Sessions()); n != sessions {
		t.Errorf("%d sessions, want %d", n, sessions)
	}
}
