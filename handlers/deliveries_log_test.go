package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// The delivery log shows each attempt's session by contact (linked), its
// token decoded with the signature's check, the body indented, and it
// narrows to a session, an event type or a status; a status it does not
// know is refused by name.
func TestDeliveryLogDecodesFiltersAndNamesSessions(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	sid := a.startSession(t, admin)
	if code, _ := admin.Post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Grace"}}); code != http.StatusSeeOther {
		t.Fatal("second session")
	}
	s, _ := a.store.GetSession(t.Context(), sid)
	waitUntil(t, "Ada's agent to join", func() bool {
		got, _ := a.store.GetSession(t.Context(), sid)
		return got.State == store.SessionConnected
	})

	code, page := admin.Get(t, "/sim/deliveries")
	if code != http.StatusOK {
		t.Fatalf("deliveries = %d", code)
	}
	for _, want := range []string{
		`href="/sim/desk/` + s.AlvariaSessionID + `">Ada</a>`,
		"valid (RS256, the simulator&#39;s key)",
		`&#34;alg&#34;: &#34;RS256&#34;`,
		`&#34;eventId&#34;: &#34;`,
		"attempts</span>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the delivery log lacks %s", want)
		}
	}
	_, page = admin.Get(t, "/sim/deliveries?event=AGENT_JOINED&session="+url.QueryEscape(s.AlvariaSessionID))
	if strings.Count(page, "<strong>AGENT_JOINED</strong>") != 1 || strings.Contains(page, "<strong>NEW_SESSION</strong>") || strings.Contains(page, ">Grace</a>") {
		t.Errorf("the log narrowed to Ada's AGENT_JOINED shows something else")
	}
	if _, page = admin.Get(t, "/sim/deliveries?status=failing"); strings.Contains(page, "<strong>NEW_SESSION</strong>") {
		t.Error("delivered callbacks are listed as failing")
	}
	if code, page = admin.Get(t, "/sim/deliveries?status=lost"); code != http.StatusBadRequest || !strings.Contains(page, "There is no delivery status") {
		t.Errorf("an unknown status = %d", code)
	}
}
