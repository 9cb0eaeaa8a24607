package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// Whoever plays the agent or holds back callbacks changes what a
// conversation shows: each desk and delivery action leaves exactly one
// audit record, with who, what and on which Alvaria session or event, and
// a refused action leaves none.
func TestEveryDeskAndDeliveryActionIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		admin := a.signIn(t, "admin")
		sid := a.startSession(t, admin)
		s, _ := a.store.GetSession(t.Context(), sid)
		desk := "/sim/desk/" + s.AlvariaSessionID
		waitUntil(t, "the agent to join", func() bool {
			got, _ := a.store.GetSession(t.Context(), sid)
			return got.State == store.SessionConnected
		})

		steps := []struct {
			path, action, target, detail string
			form                         url.Values
		}{
			{desk + "/take-over", accounts.ActionDeskTakeOver, s.AlvariaSessionID, "", nil},
			{desk + "/reply", accounts.ActionDeskReply, s.AlvariaSessionID, "text", url.Values{"text": {"A person answers."}}},
			{desk + "/transfer", accounts.ActionDeskTransfer, s.AlvariaSessionID, "to agent Rita", url.Values{"agent_alias": {"Rita"}}},
			{desk + "/hand-back", accounts.ActionDeskHandBack, s.AlvariaSessionID, "", nil},
			{"/sim/deliveries/pause", accounts.ActionDeliveryPause, "", "", nil},
			{"/sim/deliveries/resume", accounts.ActionDeliveryResume, "", "", nil},
			{desk + "/end", accounts.ActionDeskEnd, s.AlvariaSessionID, "", nil},
		}
		for _, step := range steps {
			if code, _ := admin.Post(t, step.path, step.form); code != http.StatusSeeOther {
				t.Fatalf("%s = %d", step.path, code)
			}
			entries, err := a.store.ListAudit(t.Context(), store.AuditFilter{Action: step.action})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("%s left %d %s records, want 1", step.path, len(entries), step.action)
			}
			if e := entries[0]; e.Actor != "admin" || e.Target != step.target || e.Detail != step.detail {
				t.Errorf("%s recorded %+v, want target %q detail %q by admin", step.path, e, step.target, step.detail)
			}
		}

		// Refused: the session has ended; nothing happened, nothing is recorded.
		if code, _ := admin.Post(t, desk+"/reply", url.Values{"text": {"too late"}}); code != http.StatusConflict {
			t.Fatalf("reply to an ended session = %d, want 409", code)
		}
		if entries, _ := a.store.ListAudit(t.Context(), store.AuditFilter{Action: accounts.ActionDeskReply}); len(entries) != 1 {
			t.Errorf("a refused reply was recorded: %d records", len(entries))
		}
		for _, action := range []string{accounts.ActionDeskJoin, accounts.ActionDeskFail, accounts.ActionDeliveryRedeliver} {
			found := false
			for _, offered := range accounts.Actions {
				found = found || offered == action
			}
			if !found {
				t.Errorf("the audit filter does not offer %s", action)
			}
		}
	})
}
