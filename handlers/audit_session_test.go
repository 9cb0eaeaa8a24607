package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// The audit trail narrows to one session, whether an entry names it by
// Parley's id (the console) or Alvaria's (the desk), and shows each target
// as the session's contact, linked.
func TestAuditTrailOfOneSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		admin := a.signIn(t, "admin")
		ada := a.startSession(t, admin)
		if code, _ := admin.Post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Grace"}}); code != http.StatusSeeOther {
			t.Fatalf("second session = %d", code)
		}
		s, _ := a.store.GetSession(t.Context(), ada)
		admin.Post(t, "/sim/desk/"+s.AlvariaSessionID+"/take-over", nil)

		for _, name := range []string{ada, s.AlvariaSessionID} {
			code, page := admin.Get(t, "/admin/audit?session="+url.QueryEscape(name))
			if code != http.StatusOK {
				t.Fatalf("audit of %s = %d", name, code)
			}
			for _, want := range []string{"session-start", "desk-take-over", `href="/sessions/` + ada + `">Ada</a>`} {
				if !strings.Contains(page, want) {
					t.Errorf("the audit of session %s lacks %q", name, want)
				}
			}
			if strings.Contains(page, ">Grace</a>") {
				t.Errorf("the audit of session %s shows Grace's session", name)
			}
		}
		if _, page := admin.Get(t, "/sessions/"+ada); !strings.Contains(page, `href="/admin/audit?session=`+ada+`"`) {
			t.Error("the session page has no link to its audit trail")
		}
	})
}
