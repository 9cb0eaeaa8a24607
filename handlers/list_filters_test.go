package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// The list's extra filters come from the address, narrow the list, stay
// filled in (with their panel open), and a value too long is refused by name.
func TestSessionsListTakesTheMoreFilters(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	a.startSession(t, admin)

	code, page := admin.Get(t, "/?work_type=32&started_by=admin")
	if code != http.StatusOK || !strings.Contains(page, `value="32"`) || !strings.Contains(page, `<details class="more-filters" open`) || !strings.Contains(page, ">Ada<") {
		t.Fatalf("filtered list = %d, filled in and showing Ada: %v", code, strings.Contains(page, ">Ada<"))
	}
	if _, page := admin.Get(t, "/?work_type=99"); strings.Contains(page, ">Ada<") {
		t.Error("a work type filter that matches nothing still lists Ada")
	}
	if _, page := admin.Get(t, "/?failed=1"); strings.Contains(page, ">Ada<") {
		t.Error("Has failed messages lists a session without any")
	}
	code, page = admin.Get(t, "/?agent="+strings.Repeat("x", 201))
	if code != http.StatusBadRequest || !strings.Contains(page, "Agent is 201 characters long") {
		t.Errorf("a 201-character agent = %d", code)
	}
}

// The search box also finds part of an Alvaria sessionId, who started a
// session, and why a session or one of its messages failed.
func TestSessionsListSearchFindsIDsStartersAndReasons(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	byAdmin := a.startSession(t, a.signIn(t, "admin"))
	byOlive := a.startSession(t, a.signIn(t, "olive"))
	ctx := t.Context()

	m := store.Message{SessionID: byAdmin, Direction: store.DirectionCustomer, Text: "are you there?", Status: store.MessageSending}
	if _, err := a.store.AddMessage(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := a.store.UpdateMessageStatus(ctx, m.ID, store.MessageFailed, "Gateway timeout from Alvaria", ""); err != nil {
		t.Fatal(err)
	}
	failed, reason := store.SessionFailed, "Work type 32 is not configured"
	if err := a.store.UpdateSession(ctx, byOlive, store.SessionUpdate{State: &failed, StateDetail: &reason}); err != nil {
		t.Fatal(err)
	}
	s, err := a.store.GetSession(ctx, byAdmin)
	if err != nil {
		t.Fatal(err)
	}
	partID := strings.ToUpper(s.AlvariaSessionID[4:12])

	qa := a.signIn(t, "quinn")
	for _, c := range []struct {
		search string
		want   string
	}{
		{partID, byAdmin},           // part of an Alvaria id, any case
		{"LIV", byOlive},            // part of who started it
		{"gateway tim", byAdmin},    // why a message failed
		{"not configured", byOlive}, // why the session failed
	} {
		code, page := qa.Get(t, "/?q="+url.QueryEscape(c.search))
		other := byOlive
		if c.want == byOlive {
			other = byAdmin
		}
		if code != http.StatusOK || !strings.Contains(page, `href="/sessions/`+c.want+`"`) || strings.Contains(page, `href="/sessions/`+other+`"`) {
			t.Errorf("search %q = %d, lists %s: %v, lists %s: %v", c.search, code,
				c.want, strings.Contains(page, "/sessions/"+c.want), other, strings.Contains(page, "/sessions/"+other))
		}
	}
}
