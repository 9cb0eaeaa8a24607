package simulator

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/live"
)

func TestDeskTakesOverAndHandsBack(t *testing.T) {
	h := newHarness(t, quick())
	id, alias := h.start(t)

	if err := h.sim.TakeOver(id); err != nil {
		t.Fatal(err)
	}
	if info, _ := h.sim.Session(id); !info.TakenOver {
		t.Error("TakenOver is false after TakeOver")
	}
	h.send(t, id, alvaria.Message{Text: "is anyone real?"})
	if err := h.sim.AgentReply(id, alvaria.Message{Text: "a human here"}); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.HandBack(id); err != nil {
		t.Fatal(err)
	}
	h.send(t, id, alvaria.Message{Text: "thanks"})
	// Had the taken-over message been answered, its echo would come before
	// the echo of "thanks".
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventMessage, alvaria.EventMessage)
	if m := cbs[3].(*alvaria.MessageCallback); m.Message.Text != "a human here" || m.SenderID != alias {
		t.Errorf("desk reply = %+v", m)
	}
	if m := cbs[4].(*alvaria.MessageCallback); m.Message.Text != EchoText("thanks") {
		t.Errorf("after hand back = %q, want the echo of thanks", m.Message.Text)
	}
}

func TestDeskActions(t *testing.T) {
	cfg := quick()
	hub := live.NewHub()
	cfg.Live = hub
	changes := hub.Subscribe(ChangesTopic)
	defer changes.Close()
	h := newHarness(t, cfg)
	id, alias := h.start(t)
	messageID := h.send(t, id, alvaria.Message{Text: "#quiet"})

	if err := h.sim.Transfer(id, "Zed", ""); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Join(id, "Yoko"); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.FailMessage(id, messageID, ""); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.FailMessage(id, "no-such-message", ""); !errors.Is(err, ErrUnknownMessage) {
		t.Errorf("FailMessage of an unknown message: %v", err)
	}
	if err := h.sim.AgentReply(id, alvaria.Message{}); err == nil {
		t.Error("AgentReply accepted an empty message")
	}
	if err := h.sim.End(id); err != nil {
		t.Fatal(err)
	}
	cbs := h.rcv.waitEvents(t, id,
		alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage,
		alvaria.EventSessionReroute, alvaria.EventMessage, alvaria.EventAgentJoined, alvaria.EventMessageStatus, alvaria.EventSessionEnd)

	if r := cbs[3].(*alvaria.SessionRerouteCallback); r.AgentAlias != "Zed" {
		t.Errorf("reroute = %+v", r)
	}
	if m := cbs[4].(*alvaria.MessageCallback); m.SenderID != "Zed" || m.Message.Text != TakeoverText("Zed", alias) {
		t.Errorf("new agent's hello = %+v", m)
	}
	if j := cbs[5].(*alvaria.AgentJoinedCallback); j.AgentAlias != "Yoko" {
		t.Errorf("join = %+v", j)
	}
	if s := cbs[6].(*alvaria.MessageStatusCallback); s.MessageID != messageID || s.Status != alvaria.StatusFailed || s.StatusMessage == "" {
		t.Errorf("message status = %+v", s)
	}
	if e := cbs[7].(*alvaria.SessionEndCallback); e.From != alvaria.FromSystem || e.Status != alvaria.StatusSuccess {
		t.Errorf("end = %+v", e)
	}

	for name, err := range map[string]error{
		"End":        h.sim.End(id),
		"Join":       h.sim.Join(id, ""),
		"AgentReply": h.sim.AgentReply(id, alvaria.Message{Text: "late"}),
		"Transfer":   h.sim.Transfer(id, "", "45"),
		"TakeOver":   h.sim.TakeOver(id),
	} {
		if !errors.Is(err, ErrSessionEnded) {
			t.Errorf("%s on an ended session: %v, want ErrSessionEnded", name, err)
		}
	}
	if _, err := h.sim.Transcript("no-such-session"); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("Transcript of an unknown session: %v", err)
	}
	if err := h.sim.End("no-such-session"); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("End of an unknown session: %v", err)
	}

	entries, err := h.sim.Transcript(id)
	if err != nil {
		t.Fatal(err)
	}
	var customer *Entry
	for i := range entries {
		if entries[i].Role == RoleCustomer {
			customer = &entries[i]
		}
	}
	if customer == nil || customer.MessageID != messageID || customer.Failed == "" || customer.Text != "#quiet" {
		t.Errorf("customer entry = %+v", customer)
	}
	sessions := h.sim.Sessions()
	if len(sessions) != 1 || sessions[0].ID != id || sessions[0].State != SessionEnded || sessions[0].AgentAlias != "Yoko" || sessions[0].Ended.IsZero() {
		t.Errorf("sessions = %+v", sessions)
	}
	// The desk's pages stream from the broker: each change names its session.
	if keys, _ := changes.Take(); !slices.Contains(keys, id) {
		t.Errorf("the broker was told %v, want the session %s among them", keys, id)
	}
	h.sim.PauseDelivery()
	h.sim.ResumeDelivery()
	if keys, _ := changes.Take(); !slices.Contains(keys, DeliveriesKey) {
		t.Errorf("pausing delivery told the broker %v, want %q", keys, DeliveriesKey)
	}
}

func TestDeskJoinsBeforeTheAgent(t *testing.T) {
	cfg := quick()
	cfg.AgentDelay = time.Hour
	h := newHarness(t, cfg)
	id, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sim.AgentReply(id, alvaria.Message{Text: "hello"}); !errors.Is(err, ErrNoAgent) {
		t.Errorf("AgentReply before anyone joined: %v, want ErrNoAgent", err)
	}
	if info, _ := h.sim.Session(id); info.State != SessionWaiting {
		t.Errorf("state = %s, want waiting", info.State)
	}
	if err := h.sim.Join(id, ""); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.AgentReply(id, alvaria.Message{Attachment: &alvaria.Attachment{Type: alvaria.AttachmentFile, URL: "https://example.com/terms.pdf"}}); err != nil {
		t.Fatal(err)
	}
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage)
	if a := cbs[2].(*alvaria.MessageCallback).Message.Attachment; a == nil || a.Type != alvaria.AttachmentFile {
		t.Errorf("attachment = %+v", a)
	}
}

func TestMessagesWaitForAnAgentAfterAWorkTypeTransfer(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	if err := h.sim.TakeOver(id); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Transfer(id, "", "45"); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.HandBack(id); err != nil {
		t.Fatal(err)
	}
	h.send(t, id, alvaria.Message{Text: "still there?"})
	cbs := h.rcv.waitEvents(t, id, alvaria.EventNewSession, alvaria.EventAgentJoined, alvaria.EventMessage,
		alvaria.EventSessionReroute, alvaria.EventAgentJoined, alvaria.EventMessage, alvaria.EventMessage)
	if got := cbs[6].(*alvaria.MessageCallback).Message.Text; got != EchoText("still there?") {
		t.Errorf("answer once the new agent joined = %q", got)
	}
}
