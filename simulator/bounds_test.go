package simulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
)

// The simulator's bounds: a cap per transcript, ended sessions forgotten
// after KeepEnded, and a 429 when the callback backlog is full.

func TestTranscriptKeepsTheNewestLines(t *testing.T) {
	cfg := quick()
	cfg.TranscriptCap = 5
	h := newHarness(t, cfg)
	id, _ := h.start(t) // NEW_SESSION, AGENT_JOINED and the greeting: 3 lines
	newSessionEvent := h.rcv.accepted(id)[0].CallbackEventID()
	if err := h.sim.TakeOver(id); err != nil {
		t.Fatal(err)
	}
	firstMessage := h.send(t, id, alvaria.Message{Text: "m0"})
	for i := 1; i < 20; i++ {
		h.send(t, id, alvaria.Message{Text: fmt.Sprintf("m%d", i)})
	}

	tr, err := h.sim.Transcript(id)
	if err != nil {
		t.Fatal(err)
	}
	const dropped = 3 + 20 - 5
	if len(tr) != 1+cfg.TranscriptCap {
		t.Fatalf("transcript has %d lines, want the note and the newest %d: %+v", len(tr), cfg.TranscriptCap, tr)
	}
	if tr[0].Role != RoleSystem || !strings.HasPrefix(tr[0].Note, fmt.Sprintf("%d earlier lines were dropped", dropped)) {
		t.Errorf("first line = %+v, want a note that %d lines were dropped", tr[0], dropped)
	}
	for i, e := range tr[1:] {
		if want := fmt.Sprintf("m%d", 15+i); e.Text != want {
			t.Errorf("line %d = %q, want %q (the newest, in order)", i+1, e.Text, want)
		}
	}
	info, err := h.sim.Session(id)
	if err != nil {
		t.Fatal(err)
	}
	if info.Dropped != dropped || info.LastSaid != "Ada: m19" {
		t.Errorf("session info dropped %d, last said %q; want %d and %q", info.Dropped, info.LastSaid, dropped, "Ada: m19")
	}
	// What is dropped is gone for the desk's actions too.
	if err := h.sim.Redeliver(newSessionEvent); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("redeliver a dropped event: %v, want ErrUnknownEvent", err)
	}
	if err := h.sim.FailMessage(id, firstMessage, ""); !errors.Is(err, ErrUnknownMessage) {
		t.Errorf("fail a dropped message: %v, want ErrUnknownMessage", err)
	}
}

// TestLongSessionStaysBounded is the memory check: 100,000 messages to one
// session leave it with a bounded number of lines and remembered events.
func TestLongSessionStaysBounded(t *testing.T) {
	cfg := quick()
	cfg.TranscriptCap = 1000
	h := newHarness(t, cfg)
	id, _ := h.start(t)
	if err := h.sim.TakeOver(id); err != nil {
		t.Fatal(err)
	}
	// The agent's replies stay queued, so the test measures the session
	// rather than RS256 signing; Close drops them.
	h.sim.PauseDelivery()
	const messages, replyEvery = 100_000, 10
	for i := range messages {
		if _, err := h.sim.receiveMessage(id, alvaria.Message{Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		if i%replyEvery == 0 {
			if err := h.sim.AgentReply(id, alvaria.Message{Text: "hi"}); err != nil {
				t.Fatal(err)
			}
		}
	}

	h.sim.mu.Lock()
	stored, events := len(h.sim.sessions[id].transcript), len(h.sim.events)
	h.sim.mu.Unlock()
	if stored > 2*cfg.TranscriptCap {
		t.Errorf("%d lines stored, want at most %d", stored, 2*cfg.TranscriptCap)
	}
	if events > 2*cfg.TranscriptCap {
		t.Errorf("%d events remembered, want at most %d", events, 2*cfg.TranscriptCap)
	}
	tr, err := h.sim.Transcript(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 1+cfg.TranscriptCap {
		t.Errorf("transcript shows %d lines, want %d and the note", len(tr), cfg.TranscriptCap)
	}
	info, _ := h.sim.Session(id)
	if total := 3 + messages + messages/replyEvery; info.Dropped != total-cfg.TranscriptCap {
		t.Errorf("dropped = %d, want %d", info.Dropped, total-cfg.TranscriptCap)
	}
	if got := h.sim.Backlog(); got != messages/replyEvery {
		t.Errorf("backlog = %d, want the %d paused replies", got, messages/replyEvery)
	}
}

// BenchmarkLongSession sends messages to one session through the engine and
// reports the lines it holds, which stay under twice TranscriptCap however
// long it runs.
func BenchmarkLongSession(b *testing.B) {
	cfg := quick()
	cfg.AgentDelay = time.Hour
	h := newHarness(b, cfg)
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.sim.TakeOver(id); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.sim.receiveMessage(id, alvaria.Message{Text: "hello"}); err != nil {
			b.Fatal(err)
		}
	}
	h.sim.mu.Lock()
	lines := len(h.sim.sessions[id].transcript)
	h.sim.mu.Unlock()
	b.ReportMetric(float64(lines), "lines")
}

func TestEndedSessionIsForgottenAfterRetentionWithoutOtherTraffic(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	cfg := quick()
	cfg.Now = clock.Now
	cfg.KeepEnded = time.Minute
	h := newHarness(t, cfg)
	id, _ := h.start(t)
	if err := h.client.DeleteSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}

	// Recently ended: the message is accepted and reported FAILED, as the
	// contract has it.
	clock.Advance(cfg.KeepEnded - time.Second)
	h.send(t, id, alvaria.Message{Text: "just after the end"})
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage,
		alvaria.EventSessionEnd, alvaria.EventMessageStatus)
	if st := cbs[4].(*alvaria.MessageStatusCallback); st.Status != alvaria.StatusFailed {
		t.Errorf("MESSAGE_STATUS %s, want FAILED", st.Status)
	}
	eventID := cbs[0].CallbackEventID()

	// Past the retention, with nothing else happening in between: unknown.
	clock.Advance(2 * time.Second)
	_, err := h.client.SendMessage(context.Background(), id, alvaria.Message{Text: "forgotten"})
	var apiErr *alvaria.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Response.Code != http.StatusNotFound {
		t.Fatalf("message to a forgotten session: %v, want 404 with an ErrorResponse", err)
	}
	if _, err := h.sim.Session(id); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("Session after retention: %v, want ErrUnknownSession", err)
	}
	if err := h.sim.Redeliver(eventID); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("Redeliver after retention: %v, want ErrUnknownEvent", err)
	}
	if n := len(h.sim.Sessions()); n != 0 {
		t.Errorf("%d sessions listed, want none", n)
	}
}

func TestFullBacklogAnswers429(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour // only the API's own callbacks
	cfg.BacklogLimit = 3
	h := newHarness(t, cfg)
	tok := h.token(t)
	h.sim.PauseDelivery()
	create := func() (*http.Response, []byte) {
		return h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), `{"workTypeId":"32","contactName":"Ada"}`)
	}
	var ids []string
	for range cfg.BacklogLimit {
		resp, body := create()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("create under the limit: %d %s", resp.StatusCode, body)
		}
		var sr alvaria.SessionResponse
		mustJSON(t, body, &sr)
		ids = append(ids, sr.SessionID)
	}
	if got := h.sim.Backlog(); got != cfg.BacklogLimit {
		t.Fatalf("backlog = %d, want %d NEW_SESSIONs", got, cfg.BacklogLimit)
	}

	check := func(name string, resp *http.Response, body []byte) {
		t.Helper()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
			t.Fatalf("%s with a full backlog: %d, Retry-After %q; want 429 and 1", name, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		var er alvaria.ErrorResponse
		mustJSON(t, body, &er)
		if er.Code != http.StatusTooManyRequests || er.Message != "too many requests" || len(er.Errors) != 1 ||
			er.Errors[0].Scope != "callbacks" || !strings.Contains(er.Errors[0].Message, "3 callbacks are waiting") {
			t.Errorf("%s: body %+v", name, er)
		}
	}
	resp, body := create()
	check("create", resp, body)
	resp, body = h.do(t, http.MethodPost, messagePath(DefaultOrgID), with(apiHeaders(tok), alvaria.HeaderSessionID, ids[0]), `{"text":"hello"}`)
	check("send", resp, body)
	if n := len(h.sim.Sessions()); n != cfg.BacklogLimit {
		t.Errorf("%d sessions, want the refused create to have opened none", n)
	}
	// Ending a session is how a client sheds load, so it is not refused.
	if resp, body := h.do(t, http.MethodDelete, sessionPath(DefaultOrgID), with(apiHeaders(tok), alvaria.HeaderSessionID, ids[0]), ""); resp.StatusCode != http.StatusAccepted {
		t.Errorf("delete with a full backlog: %d %s, want 202", resp.StatusCode, body)
	}

	h.sim.ResumeDelivery()
	waitFor(t, "the backlog to drain", func() bool { return h.sim.Backlog() == 0 })
	if resp, body := create(); resp.StatusCode != http.StatusAccepted {
		t.Errorf("create once drained: %d %s", resp.StatusCode, body)
	}
}

// A callback waiting for its retry is still work to do, so it counts.
func TestBacklogCountsWaitingRetries(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour
	cfg.RetryBaseDelay = 5 * time.Minute // the retry stays waiting
	h := newHarness(t, cfg)
	h.rcv.setFailIf(func(alvaria.Callback, int) bool { return true })
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first attempt", func() bool { return len(h.sim.Deliveries()) == 1 })
	if got := h.sim.Backlog(); got != 1 {
		t.Errorf("backlog = %d, want the NEW_SESSION of %s waiting for its retry", got, id)
	}
}
