package simulator

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
)

func TestSessionStartsAndAgentJoinsWithGreeting(t *testing.T) {
	h := newHarness(t, quick())
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada", Integration: "SMS"})
	if err != nil {
		t.Fatal(err)
	}
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage)

	if ns := cbs[0].(*alvaria.NewSessionCallback); ns.Status != alvaria.StatusSuccess || ns.StatusMessage != "" {
		t.Errorf("NEW_SESSION = %+v, want SUCCESS", ns)
	}
	alias := cbs[1].(*alvaria.AgentJoinedCallback).AgentAlias
	if !slices.Contains(agentNames, alias) {
		t.Errorf("agent alias %q is not one of %v", alias, agentNames)
	}
	greeting := cbs[2].(*alvaria.MessageCallback)
	if greeting.SenderID != alias || greeting.Message.Text != GreetingText(alias, "Ada") {
		t.Errorf("greeting = %+v, want %q from %s", greeting, GreetingText(alias, "Ada"), alias)
	}

	info, err := h.sim.Session(id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != SessionConnected || info.AgentAlias != alias || info.Integration != "SMS" || info.WorkTypeID != "32" {
		t.Errorf("session info = %+v", info)
	}
}

func TestAgentEchoesTextVerbatim(t *testing.T) {
	h := newHarness(t, quick())
	id, alias := h.start(t)
	texts := []string{
		`Hello there.`,
		`  spaces kept, "quotes" kept, <b>markup</b> & ümlauts ✓  `,
		"two\nlines",
	}
	for _, text := range texts {
		h.send(t, id, alvaria.Message{Text: text})
	}
	want := []string{alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage}
	for range texts {
		want = append(want, alvaria.EventMessage)
	}
	cbs := h.rcv.waitEvents(t, id, want...)
	for i, text := range texts {
		m := cbs[3+i].(*alvaria.MessageCallback)
		if m.Message.Text != `You said: "`+text+`"` || m.SenderID != alias {
			t.Errorf("reply %d = %q from %s, want %q from %s", i, m.Message.Text, m.SenderID, EchoText(text), alias)
		}
	}
}

func TestAgentAcknowledgesAttachmentByType(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	for _, typ := range alvaria.AttachmentTypes {
		h.send(t, id, alvaria.Message{Attachment: &alvaria.Attachment{Type: typ, URL: "https://example.com/f"}})
	}
	want := []string{alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage}
	for range alvaria.AttachmentTypes {
		want = append(want, alvaria.EventMessage)
	}
	cbs := h.rcv.waitEvents(t, id, want...)
	for i, typ := range alvaria.AttachmentTypes {
		if got := cbs[3+i].(*alvaria.MessageCallback).Message.Text; got != "Thanks, I got your "+typ+"." {
			t.Errorf("reply to %s = %q", typ, got)
		}
	}
}

func TestControlWords(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		want  []string // callbacks after the customer's message
		check func(t *testing.T, h *harness, alias, messageID string, cbs []alvaria.Callback)
	}{
		{
			name: "transfer to another agent",
			text: "#transfer",
			want: []string{alvaria.EventSessionReroute, alvaria.EventMessage},
			check: func(t *testing.T, h *harness, alias, _ string, cbs []alvaria.Callback) {
				r := cbs[0].(*alvaria.SessionRerouteCallback)
				if r.AgentAlias == "" || r.AgentAlias == alias || r.WorktypeID != "" {
					t.Errorf("reroute = %+v, want another agent than %s", r, alias)
				}
				if m := cbs[1].(*alvaria.MessageCallback); m.SenderID != r.AgentAlias {
					t.Errorf("after the transfer %s spoke, want %s", m.SenderID, r.AgentAlias)
				}
			},
		},
		{
			name: "transfer to a work type",
			text: "#transfer worktype 45",
			want: []string{alvaria.EventSessionReroute, alvaria.EventAgentJoined, alvaria.EventMessage},
			check: func(t *testing.T, h *harness, _, _ string, cbs []alvaria.Callback) {
				r := cbs[0].(*alvaria.SessionRerouteCallback)
				if r.WorktypeID != "45" || r.AgentAlias != "" {
					t.Errorf("reroute = %+v, want worktypeId 45 only", r)
				}
				info, _ := h.sim.Session(r.SessionID)
				if info.WorkTypeID != "45" {
					t.Errorf("work type after transfer = %q", info.WorkTypeID)
				}
			},
		},
		{
			name: "transfer to a named agent, any case",
			text: "#Transfer AGENT Rita Moreno",
			want: []string{alvaria.EventSessionReroute, alvaria.EventMessage},
			check: func(t *testing.T, h *harness, _, _ string, cbs []alvaria.Callback) {
				r := cbs[0].(*alvaria.SessionRerouteCallback)
				if r.AgentAlias != "Rita Moreno" || r.WorktypeID != "" {
					t.Errorf("reroute = %+v, want agent Rita Moreno", r)
				}
			},
		},
		{
			name: "a control word that is not the first word is text",
			text: "please #end this",
			want: []string{alvaria.EventMessage},
			check: func(t *testing.T, h *harness, _, _ string, cbs []alvaria.Callback) {
				if m := cbs[0].(*alvaria.MessageCallback); m.Message.Text != EchoText("please #end this") {
					t.Errorf("reply = %q, want the echo", m.Message.Text)
				}
				info, _ := h.sim.Session(cbs[0].CallbackSessionID())
				if info.State != SessionConnected {
					t.Errorf("state = %s, want still connected", info.State)
				}
			},
		},
		{
			name: "end",
			text: "#end",
			want: []string{alvaria.EventSessionEnd},
			check: func(t *testing.T, h *harness, _, _ string, cbs []alvaria.Callback) {
				e := cbs[0].(*alvaria.SessionEndCallback)
				if e.Status != alvaria.StatusSuccess || e.From != alvaria.FromSystem {
					t.Errorf("SESSION_END = %+v, want SUCCESS from SYSTEM", e)
				}
				info, _ := h.sim.Session(e.SessionID)
				if info.State != SessionEnded {
					t.Errorf("state = %s", info.State)
				}
			},
		},
		{
			name: "fail",
			text: "#fail",
			want: []string{alvaria.EventMessageStatus},
			check: func(t *testing.T, h *harness, _, messageID string, cbs []alvaria.Callback) {
				s := cbs[0].(*alvaria.MessageStatusCallback)
				if s.Status != alvaria.StatusFailed || s.MessageID != messageID || s.StatusMessage != "Delivery failed (simulated by #fail)" {
					t.Errorf("MESSAGE_STATUS = %+v, want FAILED for %s", s, messageID)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, quick())
			id, alias := h.start(t)
			messageID := h.send(t, id, alvaria.Message{Text: tt.text})
			want := append([]string{alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage}, tt.want...)
			cbs := h.rcv.waitEvents(t, id, want...)
			tt.check(t, h, alias, messageID, cbs[3:])
		})
	}
}

func TestQuietGetsNoReply(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	h.send(t, id, alvaria.Message{Text: "#quiet"})
	h.send(t, id, alvaria.Message{Text: "after"})
	// The reply to "after" comes after the agent dealt with #quiet, so if
	// #quiet had been answered it would be here first.
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventMessage)
	if got := cbs[3].(*alvaria.MessageCallback).Message.Text; got != EchoText("after") {
		t.Errorf("first reply after #quiet = %q, want the echo of the next message", got)
	}
}

func TestDeleteSessionEndsItWithoutFrom(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	if err := h.client.DeleteSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventSessionEnd)
	if e := cbs[3].(*alvaria.SessionEndCallback); e.Status != alvaria.StatusSuccess || e.From != "" {
		t.Errorf("SESSION_END = %+v, want SUCCESS without from", e)
	}

	// Deleting again is accepted; there was nothing left to end.
	if err := h.client.DeleteSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	cbs = h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventSessionEnd, alvaria.EventSessionEnd)
	if e := cbs[4].(*alvaria.SessionEndCallback); e.Status != alvaria.StatusFailed {
		t.Errorf("second SESSION_END = %+v, want FAILED", e)
	}
}

func TestSessionEndsAtMaxLife(t *testing.T) {
	cfg := quick()
	cfg.SessionMaxLife = 200 * time.Millisecond
	h := newHarness(t, cfg)
	id, _ := h.start(t)
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventSessionEnd)
	if e := cbs[3].(*alvaria.SessionEndCallback); e.Status != alvaria.StatusSuccess || e.From != alvaria.FromSystem {
		t.Errorf("SESSION_END = %+v, want SUCCESS from SYSTEM", e)
	}
}

func TestMessageToEndedSessionIsAcceptedThenFailed(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	if err := h.client.DeleteSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	messageID := h.send(t, id, alvaria.Message{Text: "anyone?"})
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventSessionEnd, alvaria.EventMessageStatus)
	s := cbs[4].(*alvaria.MessageStatusCallback)
	if s.Status != alvaria.StatusFailed || s.MessageID != messageID || s.StatusMessage != "Session does not exist" {
		t.Errorf("MESSAGE_STATUS = %+v, want FAILED %q for %s", s, "Session does not exist", messageID)
	}
}

func TestUnknownWorkTypeFailsNewSession(t *testing.T) {
	cfg := quick()
	cfg.WorkTypes = []string{"32", "45"}
	h := newHarness(t, cfg)

	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "99", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession)
	if ns := cbs[0].(*alvaria.NewSessionCallback); ns.Status != alvaria.StatusFailed || ns.StatusMessage == "" {
		t.Errorf("NEW_SESSION = %+v, want FAILED with a status message", ns)
	}
	if info, _ := h.sim.Session(id); info.State != SessionFailed {
		t.Errorf("state = %s, want failed", info.State)
	}

	// A number is accepted as well as a string.
	tok := h.token(t)
	resp, body := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), `{"workTypeId": 45, "contactName": "Grace"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create with numeric work type: %d %s", resp.StatusCode, body)
	}
	var sr alvaria.SessionResponse
	mustJSON(t, body, &sr)
	h.rcv.waitEvents(t, sr.SessionID, alvaria.EventNewSession, alvaria.EventAgentJoined)
	if cb := h.rcv.accepted(sr.SessionID)[0].(*alvaria.NewSessionCallback); cb.Status != alvaria.StatusSuccess {
		t.Errorf("NEW_SESSION for work type 45 = %+v", cb)
	}
}

func TestUnknownSessionIsNotFound(t *testing.T) {
	h := newHarness(t, quick())
	_, err := h.client.SendMessage(context.Background(), "no-such-session", alvaria.Message{Text: "hi"})
	var apiErr *alvaria.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("send to unknown session: %v, want 404", err)
	}
	if len(apiErr.Response.Errors) != 1 || apiErr.Response.Errors[0].Scope != alvaria.HeaderSessionID || apiErr.Response.Code != 404 {
		t.Errorf("404 body = %+v", apiErr.Response)
	}
	err = h.client.DeleteSession(context.Background(), "no-such-session")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("delete unknown session: %v, want 404", err)
	}
}

func TestEndedSessionsAreForgottenAfterKeepEnded(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	cfg := quick()
	cfg.Now = clock.Now
	cfg.KeepEnded = time.Minute
	h := newHarness(t, cfg)
	id, _ := h.start(t)
	if err := h.client.DeleteSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	h.send(t, id, alvaria.Message{Text: "still known"})

	clock.Advance(2 * time.Minute)
	h.start(t) // opening a session forgets the old ones
	_, err := h.client.SendMessage(context.Background(), id, alvaria.Message{Text: "forgotten"})
	var apiErr *alvaria.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("message to a forgotten session: %v, want 404", err)
	}
	if len(h.sim.Sessions()) != 1 {
		t.Errorf("sessions = %+v, want only the new one", h.sim.Sessions())
	}
}

func TestCallbackLatencyDelaysDelivery(t *testing.T) {
	cfg := quick()
	cfg.CallbackLatency = 100 * time.Millisecond
	h := newHarness(t, cfg)
	before := time.Now()
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	h.rcv.waitEvents(t, id, alvaria.EventNewSession)
	eventID := h.rcv.accepted(id)[0].CallbackEventID()
	if got := h.rcv.requests(eventID)[0].at.Sub(before); got < cfg.CallbackLatency {
		t.Errorf("NEW_SESSION arrived %s after the request, before the %s latency", got, cfg.CallbackLatency)
	}
}
