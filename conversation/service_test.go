package conversation_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// newService is the service on a real store, calling a real simulator over
// HTTP whose callbacks go to a receiver that accepts and drops them.
func newService(t *testing.T, st *store.Store, cfg simulator.Config) (*conversation.Service, *testkit.Clock) {
	t.Helper()
	client := simtest.Start(t, cfg).Client(t, nil)
	clk := testkit.NewClock(time.Now())
	return conversation.New(conversation.Config{Store: st, Alvaria: client, Now: clk.Now, Connection: "simulator"}), clk
}

var ada = accounts.Actor{Username: "ada", Addr: "10.0.0.1"}

func TestStartSessionNamesTheBadField(t *testing.T) {
	svc, _ := newService(t, storetest.SQLite(t), simulator.Config{})
	cases := map[string]conversation.StartInput{
		"workTypeId":  {ContactName: "Ada"},
		"contactName": {WorkTypeID: "32", ContactName: "   "},
	}
	for field, in := range cases {
		_, err := svc.StartSession(t.Context(), in)
		var inputErr *input.Error
		if !errors.As(err, &inputErr) || inputErr.Fields[field] == "" {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestAlvariaErrorsKeepAlvariasWords(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _ := newService(t, st, simulator.Config{ErrorRate: 1, ErrorStatus: http.StatusInternalServerError})
	_, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada})
	var alvErr *conversation.AlvariaError
	if !errors.As(err, &alvErr) || alvErr.Status != http.StatusInternalServerError || alvErr.Message == "" {
		t.Fatalf("got %#v", err)
	}
	page, _ := st.ListSessions(t.Context(), store.SessionFilter{})
	if len(page.Sessions) != 0 {
		t.Fatal("a refused start left a session behind")
	}
}

func TestSessionsExpireAfterFourHours(t *testing.T) {
	st := storetest.SQLite(t)
	svc, clk := newService(t, st, simulator.Config{AgentDelay: time.Hour})
	s, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != conversation.StatePending || s.StartedBy != "ada" {
		t.Fatalf("new session %+v", s)
	}
	list := func(state string) int {
		l, err := svc.ListSessions(t.Context(), conversation.ListQuery{State: state})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Sessions)
	}
	if list(conversation.StatePending) != 1 || list(conversation.StateExpired) != 0 {
		t.Fatal("a fresh session is not listed as Pending")
	}
	clk.Advance(conversation.MaxLife)
	got, _ := svc.Session(t.Context(), s.ID)
	if got.Status != conversation.StateExpired || got.Live() {
		t.Fatalf("after four hours: %s", got.Status)
	}
	if list(conversation.StatePending) != 0 || list(conversation.StateExpired) != 1 {
		t.Fatal("an expired session is not listed as Expired")
	}
	if _, err := svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{Text: "still there?", By: ada}); !errors.Is(err, conversation.ErrSessionClosed) {
		t.Fatalf("send to an expired session: %v", err)
	}
}

func TestSendMessageIsStoredBeforeAndAfterTheCall(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _ := newService(t, st, simulator.Config{AgentDelay: time.Hour})
	s, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada})
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{Text: "hello", By: ada})
	if err != nil || m.Status != store.MessageSent || m.AlvariaMessageID == "" || m.SenderID != "ada" {
		t.Fatalf("sent %+v, %v", m, err)
	}
	_, err = svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{AttachmentType: "Picture", AttachmentURL: "https://x.test/a.png", By: ada})
	var inputErr *input.Error
	if !errors.As(err, &inputErr) || inputErr.Fields["attachmentType"] == "" {
		t.Fatalf("bad attachment type: %v", err)
	}
	if _, err := svc.SendMessage(t.Context(), "no-such-session", conversation.MessageInput{Text: "x"}); !errors.Is(err, conversation.ErrNotFound) {
		t.Fatalf("unknown session: %v", err)
	}
}

func TestReviewAndExport(t *testing.T) {
	st := storetest.SQLite(t)
	svc, _ := newService(t, st, simulator.Config{AgentDelay: time.Hour})
	for range 3 {
		if _, err := svc.StartSession(t.Context(), conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", By: ada}); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := svc.ListSessions(t.Context(), conversation.ListQuery{})
	id := l.Sessions[0].ID
	var inputErr *input.Error
	if err := svc.ReviewSession(t.Context(), id, conversation.ReviewInput{Verdict: "great", By: ada}); !errors.As(err, &inputErr) {
		t.Fatalf("bad verdict: %v", err)
	}
	if err := svc.ReviewSession(t.Context(), id, conversation.ReviewInput{Verdict: conversation.VerdictPass, Notes: " fine ", By: ada}); err != nil {
		t.Fatal(err)
	}
	passed, _ := svc.ListSessions(t.Context(), conversation.ListQuery{Verdict: conversation.VerdictPass})
	if len(passed.Sessions) != 1 || passed.Sessions[0].ReviewNotes != "fine" {
		t.Fatalf("verdict filter: %+v", passed.Sessions)
	}
	if _, err := svc.ListSessions(t.Context(), conversation.ListQuery{Verdict: "great"}); !errors.As(err, &inputErr) {
		t.Fatalf("unknown verdict filter: %v", err)
	}
	all, err := svc.ExportSessions(t.Context(), conversation.ListQuery{}, ada)
	if err != nil || len(all) != 3 {
		t.Fatalf("export: %d, %v", len(all), err)
	}
}
