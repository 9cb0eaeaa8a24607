package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/testkit"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// endpoint is one request of the role matrix and who may make it.
type endpoint struct {
	method, path string
	form         url.Values
	allowed      map[string]bool // by role
}

func TestRoleMatrixOnEveryEndpoint(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	users := map[string]*user{
		accounts.RoleOperator: a.signIn(t, "olive"),
		accounts.RoleQA:       a.signIn(t, "quinn"),
		accounts.RoleAdmin:    a.signIn(t, "admin"),
	}
	sid := a.startSession(t, users[accounts.RoleAdmin])
	// User changes act on someone outside the matrix, so no one in it is signed out.
	if err := a.people.CreateUser(t.Context(), accounts.Actor{Username: "admin"}, "tess", password, accounts.RoleOperator); err != nil {
		t.Fatal(err)
	}
	quinn, _ := a.store.GetUserByName(t.Context(), "tess")
	all := map[string]bool{accounts.RoleOperator: true, accounts.RoleQA: true, accounts.RoleAdmin: true}
	converse := map[string]bool{accounts.RoleOperator: true, accounts.RoleAdmin: true}
	qa := map[string]bool{accounts.RoleQA: true, accounts.RoleAdmin: true}
	admin := map[string]bool{accounts.RoleAdmin: true}
	endpoints := []endpoint{
		{"GET", "/", nil, all},
		{"GET", "/sessions/" + sid, nil, all},
		{"GET", "/sessions/" + sid + "/print", nil, all},
		{"GET", "/account", nil, all},
		{"GET", "/sessions/new", nil, converse},
		{"POST", "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Matrix"}}, converse},
		{"POST", "/sessions/" + sid + "/messages", url.Values{"text": {"hello"}}, converse},
		{"POST", "/sessions/" + sid + "/review", url.Values{"verdict": {conversation.VerdictPass}, "notes": {"ok"}}, qa},
		{"GET", "/sessions/" + sid + "/transcript.json", nil, qa},
		{"GET", "/sessions/" + sid + "/transcript.csv", nil, qa},
		{"GET", "/sessions.csv", nil, qa},
		{"GET", "/admin/users", nil, admin},
		{"POST", "/admin/users", url.Values{"username": {"new-user"}, "password": {password}, "role": {accounts.RoleQA}}, admin},
		{"POST", fmt.Sprintf("/admin/users/%d/role", quinn.ID), url.Values{"role": {accounts.RoleOperator}}, admin},
		{"POST", fmt.Sprintf("/admin/users/%d/password", quinn.ID), url.Values{"password": {password}}, admin},
		{"POST", fmt.Sprintf("/admin/users/%d/enable", quinn.ID), nil, admin},
		{"GET", "/admin/audit", nil, admin},
		{"GET", "/admin/audit.csv", nil, admin},
		{"GET", "/metrics", nil, admin},
		// Ending goes last: nothing can be sent after it.
		{"POST", "/sessions/" + sid + "/end", nil, converse},
	}
	for _, e := range endpoints {
		for _, role := range []string{accounts.RoleQA, accounts.RoleOperator, accounts.RoleAdmin} {
			u := users[role]
			var code int
			if e.method == "GET" {
				code, _ = u.Get(t, e.path)
			} else {
				code, _ = u.Post(t, e.path, cloneForm(e.form, role))
			}
			if e.allowed[role] && (code == http.StatusForbidden || code >= 400) {
				t.Errorf("%s %s as %s = %d, want allowed", e.method, e.path, role, code)
			}
			if !e.allowed[role] && code != http.StatusForbidden {
				t.Errorf("%s %s as %s = %d, want 403", e.method, e.path, role, code)
			}
		}
	}
}

// cloneForm gives each role its own copy, with a unique user name where
// the form creates one.
func cloneForm(f url.Values, role string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	if out.Get("username") != "" {
		out.Set("username", out.Get("username")+"-"+role)
	}
	return out
}

func TestControlsFollowTheRole(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	sid := a.startSession(t, admin)
	_, qaPage := a.signIn(t, "quinn").Get(t, "/sessions/"+sid)
	for _, absent := range []string{`id="composer"`, `id="end-session"`} {
		if strings.Contains(qaPage, absent) {
			t.Errorf("QA sees %s", absent)
		}
	}
	if !strings.Contains(qaPage, `action="/sessions/`+sid+`/review"`) {
		t.Error("QA has no review form")
	}
	_, opPage := a.signIn(t, "olive").Get(t, "/sessions/"+sid)
	if !strings.Contains(opPage, `id="composer"`) || strings.Contains(opPage, `/review"`) || strings.Contains(opPage, "transcript.json") {
		t.Error("operator controls wrong")
	}
}

func TestSignInRedirectsAndComesBack(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	u := a.anonymous()
	code, loc := u.Get(t, "/admin/audit?action=sign-in")
	if code != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/admin/audit?action=sign-in") {
		t.Fatalf("anonymous page = %d %q", code, loc)
	}
	_, page := u.Get(t, loc)
	u.CSRF = testkit.CSRFField(t, page)
	if !strings.Contains(page, `name="next" value="/admin/audit?action=sign-in"`) {
		t.Fatalf("sign-in form lost where to go back:\n%s", page)
	}
	code, back := u.Post(t, "/login", url.Values{"username": {"admin"}, "password": {password}, "next": {"/admin/audit?action=sign-in"}})
	if code != http.StatusSeeOther || back != "/admin/audit?action=sign-in" {
		t.Fatalf("after sign-in = %d %q", code, back)
	}
	// Only this site: an offsite next goes home.
	u2 := a.anonymous()
	_, page = u2.Get(t, "/login")
	u2.CSRF = testkit.CSRFField(t, page)
	if _, back := u2.Post(t, "/login", url.Values{"username": {"admin"}, "password": {password}, "next": {"//evil.example/"}}); back != "/" {
		t.Fatalf("offsite next kept: %q", back)
	}
	// A tab the browser drops would turn /<tab>/evil.example into //evil.example.
	u3 := a.anonymous()
	_, page = u3.Get(t, "/login?next=/%09/evil.example")
	u3.CSRF = testkit.CSRFField(t, page)
	if !strings.Contains(page, `name="next" value="/"`) {
		t.Fatalf("sign-in form kept a hostile next:\n%s", page)
	}
	if _, back := u3.Post(t, "/login", url.Values{"username": {"admin"}, "password": {password}, "next": {"/\t/evil.example"}}); back != "/" {
		t.Fatalf("next with a tab kept: %q", back)
	}
	// Requests that are not page loads get 401, and the webhook needs no sign-in.
	if code, _ := a.anonymous().Post(t, "/sessions", url.Values{"work_type_id": {"1"}}); code != http.StatusUnauthorized {
		t.Errorf("anonymous POST = %d, want 401", code)
	}
	if code, _ := a.anonymous().Post(t, "/webhooks/server-messaging", nil); code != http.StatusUnauthorized {
		t.Errorf("webhook without JWT = %d, want 401 from the verifier", code)
	}
}

func TestCSRFIsRequired(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	for _, token := range []string{"", "forged"} {
		code, _ := admin.Post(t, "/admin/users", url.Values{"csrf": {token}, "username": {"mallory"}, "password": {password}, "role": {accounts.RoleAdmin}})
		if code != http.StatusForbidden {
			t.Errorf("token %q: %d, want 403", token, code)
		}
	}
	if _, err := a.store.GetUserByName(t.Context(), "mallory"); err == nil {
		t.Fatal("a forged request created a user")
	}
	// The sign-in form has its own token.
	u := a.anonymous()
	u.Get(t, "/login")
	if code, _ := u.Post(t, "/login", url.Values{"csrf": {"forged"}, "username": {"admin"}, "password": {password}}); code != http.StatusForbidden {
		t.Errorf("forged sign-in = %d, want 403", code)
	}
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	olive := a.signIn(t, "olive")
	u, _ := a.store.GetUserByName(t.Context(), "olive")
	if code, _ := admin.Post(t, fmt.Sprintf("/admin/users/%d/disable", u.ID), nil); code != http.StatusSeeOther {
		t.Fatalf("disable = %d", code)
	}
	if code, loc := olive.Get(t, "/"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("disabled user's page = %d %q", code, loc)
	}
	again := a.anonymous()
	_, page := again.Get(t, "/login")
	again.CSRF = testkit.CSRFField(t, page)
	if code, _ := again.Post(t, "/login", url.Values{"username": {"olive"}, "password": {password}}); code != http.StatusUnauthorized {
		t.Fatalf("disabled sign-in = %d, want 401", code)
	}
}

func TestEveryAuditedActionLeavesOneRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		before := map[string]int{}
		for _, action := range accounts.Actions {
			before[action] = a.auditCount(t, action)
		}
		admin := a.signIn(t, "admin")
		sid := a.startSession(t, admin)
		admin.Post(t, "/sessions/"+sid+"/messages", url.Values{"text": {"hello"}})
		admin.Post(t, "/sessions/"+sid+"/review", url.Values{"verdict": {conversation.VerdictFail}, "notes": {"rude"}})
		admin.Get(t, "/sessions/"+sid+"/transcript.csv")
		admin.Post(t, "/admin/users", url.Values{"username": {"rita"}, "password": {password}, "role": {accounts.RoleQA}})
		rita, _ := a.store.GetUserByName(t.Context(), "rita")
		admin.Post(t, fmt.Sprintf("/admin/users/%d/role", rita.ID), url.Values{"role": {accounts.RoleOperator}})
		admin.Post(t, fmt.Sprintf("/admin/users/%d/disable", rita.ID), nil)
		admin.Post(t, fmt.Sprintf("/admin/users/%d/enable", rita.ID), nil)
		admin.Post(t, fmt.Sprintf("/admin/users/%d/password", rita.ID), url.Values{"password": {"another long one"}})
		bad := a.anonymous()
		_, page := bad.Get(t, "/login")
		bad.CSRF = testkit.CSRFField(t, page)
		bad.Post(t, "/login", url.Values{"username": {"admin"}, "password": {"wrong password"}})
		admin.Post(t, "/account/password", url.Values{"current": {"wrong password"}, "password": {"a new long password"}})
		// API tokens: created on the account page, used once, revoked.
		_, page = admin.Post(t, "/account/tokens", url.Values{"token_name": {"ci"}})
		useToken, _ := http.NewRequest(http.MethodGet, a.URL+"/api/v1/sessions/no-such-session/transcript", nil)
		useToken.Header.Set("Authorization", "Bearer "+tokenOnPage(t, page))
		testkit.Do(t, useToken)
		tokens, _ := a.people.ListTokens(t.Context(), "admin")
		admin.Post(t, fmt.Sprintf("/account/tokens/%d/revoke", tokens[0].ID), nil)
		// Conversation tests: saved, run once, deleted.
		_, testPage := admin.Post(t, "/tests", url.Values{"scenario": {"name: Audit\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - expect: agent_joined\n"}})
		testID := strings.TrimPrefix(testPage, "/tests/")
		_, runPage := admin.Post(t, "/tests/"+testID+"/runs", url.Values{"count": {"1"}})
		if code, _ := admin.Post(t, "/tests/"+testID+"/schedule", url.Values{"every": {"24h"}}); code != http.StatusSeeOther {
			t.Fatalf("schedule a test: %d", code)
		}
		if code, _ := admin.Post(t, "/tests/"+testID+"/delete", nil); code != http.StatusUnprocessableEntity {
			t.Errorf("delete without the confirmation = %d, want 422", code)
		}
		admin.Post(t, "/tests/"+testID+"/delete", url.Values{"confirm": {"yes"}})
		if code, _ := admin.Get(t, "/tests/"+testID); code != http.StatusNotFound {
			t.Errorf("a deleted test's page = %d, want 404", code)
		}
		// The run plays a session of its own, audited like a person's.
		var runID int64
		fmt.Sscanf(runPage, "/runs/%d", &runID)
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			r, err := a.store.GetRun(t.Context(), runID)
			return err == nil && r.Status == store.RunPassed
		}, "the test's run passed")
		// The desk and the delivery log, on a session of their own.
		deskSession := a.startSession(t, admin)
		ds, _ := a.store.GetSession(t.Context(), deskSession)
		desk := "/sim/desk/" + ds.AlvariaSessionID
		waitUntil(t, "the agent to join", func() bool {
			got, _ := a.store.GetSession(t.Context(), deskSession)
			return got.State == store.SessionConnected
		})
		mustSeeOther := func(path string, form url.Values) {
			t.Helper()
			if code, body := admin.Post(t, path, form); code != http.StatusSeeOther {
				t.Fatalf("%s = %d %s", path, code, body)
			}
		}
		mustSeeOther(desk+"/take-over", nil)
		mustSeeOther("/sessions/"+deskSession+"/messages", url.Values{"text": {"fail this one"}})
		var sent store.Message
		ms, _ := a.store.ListMessages(t.Context(), deskSession)
		for _, m := range ms {
			if m.Text == "fail this one" {
				sent = m
			}
		}
		mustSeeOther(desk+"/fail", url.Values{"message_id": {sent.AlvariaMessageID}})
		mustSeeOther(desk+"/reply", url.Values{"text": {"A person answers."}})
		mustSeeOther(desk+"/transfer", url.Values{"work_type_id": {"45"}})
		mustSeeOther(desk+"/join", url.Values{"alias": {"Rita"}})
		mustSeeOther(desk+"/hand-back", nil)
		mustSeeOther("/sim/deliveries/pause", nil)
		mustSeeOther("/sim/deliveries/resume", nil)
		evs, _ := a.store.ListEventsOfAlvariaSession(t.Context(), ds.AlvariaSessionID, 0)
		mustSeeOther("/sim/deliveries/"+evs[0].EventID+"/redeliver", nil)
		mustSeeOther(desk+"/end", nil)
		mustSeeOther(fmt.Sprintf("/sessions/%s/messages/%d/comments", deskSession, sent.ID), url.Values{"comment": {"Failed on purpose."}})
		mustSeeOther("/sessions/"+deskSession+"/tags", url.Values{"tag": {"desk"}})

		// Connections: added, changed, tested, disabled and enabled.
		conn := url.Values{"name": {"Second tenant"}, "api_url": {a.simURL}, "token_url": {a.simURL + simulator.TokenPath}, "org_id": {simulator.DefaultOrgID},
			"client_id": {simulator.DefaultClientID}, "client_secret": {simulator.DefaultClientSecret}, "api_key": {simulator.DefaultAPIKey},
			"callback_keys": {string(a.sim.PublicKeyPEM())}}
		if code, loc := admin.Post(t, "/admin/connections", conn); code != http.StatusSeeOther || loc != "/admin/connections/second-tenant?done=created" {
			t.Errorf("add a connection = %d %q", code, loc)
		}
		conn.Set("default_work_type", "32")
		conn.Del("client_secret")
		admin.Post(t, "/admin/connections/second-tenant", conn)
		admin.Post(t, "/admin/connections/second-tenant/test", nil)
		admin.Post(t, "/admin/connections/second-tenant/disable", nil)
		admin.Post(t, "/admin/connections/second-tenant/enable", nil)

		// A load run of one long session, cancelled once it is in flight:
		// the cancellation ends its session, once.
		_, testPage = admin.Post(t, "/tests", url.Values{"scenario": {"name: Long\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - expect: agent_joined\n  - wait: 10m\n"}})
		_, loadPage := admin.Post(t, strings.Replace(testPage, "/tests/", "/tests/", 1)+"/loads", url.Values{"sessions": {"1"}, "concurrency": {"1"}})
		var loadID int64
		fmt.Sscanf(loadPage, "/loads/%d", &loadID)
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			ls, err := a.store.GetLoadSession(t.Context(), loadID, 1)
			if err != nil || ls.SessionID == "" {
				return false
			}
			s, err := a.store.GetSession(t.Context(), ls.SessionID)
			return err == nil && s.State == store.SessionConnected
		}, "the load run's session is in flight")
		admin.Post(t, fmt.Sprintf("/loads/%d/cancel", loadID), nil)
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			ls, err := a.store.GetLoadSession(t.Context(), loadID, 1)
			return err == nil && ls.Status == store.LoadSessionCancelled
		}, "the load run's session is cancelled")
		admin.Post(t, "/sessions/"+sid+"/end", nil)
		admin.Post(t, "/logout", nil)
		for _, action := range accounts.Actions {
			want := 1
			switch action {
			case accounts.ActionSessionStart:
				want = 4 // the admin's session, the run's, the desk's and the load run's
			case accounts.ActionSessionEnd:
				want = 3 // the admin's session, the run's and the load run's; the desk's ended at the desk
			case accounts.ActionMessageSend:
				want = 2 // one in the admin's session, one at the desk's
			case accounts.ActionRunStart, accounts.ActionTestSave:
				want = 2 // the run and the load run, of two tests
			}
			if got := a.auditCount(t, action) - before[action]; got != want {
				t.Errorf("%s: %d new records, want %d", action, got, want)
			}
		}
		entries, _ := a.store.ListAudit(t.Context(), store.AuditFilter{Action: accounts.ActionSessionStart})
		var mine *store.AuditEntry
		for i := range entries {
			if entries[i].Target == sid {
				mine = &entries[i]
			}
		}
		if mine == nil || mine.Actor != "admin" || mine.ClientAddr == "" {
			t.Errorf("session start entries = %+v", entries)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	resp, err := http.Get(a.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("headers: %v", resp.Header)
	}
	var session *http.Cookie
	u := a.signIn(t, "admin")
	for _, c := range u.HTTP.Jar.Cookies(mustURL(a.URL)) {
		if c.Name == "parley_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestEveryoneCanChangeTheirOwnPassword(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	quinn := a.signIn(t, "quinn")
	if code, _ := quinn.Post(t, "/account/password", url.Values{"current": {"not it"}, "password": {"a new long password"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password = %d, want 422", code)
	}
	if code, loc := quinn.Post(t, "/account/password", url.Values{"current": {password}, "password": {"a new long password"}}); code != http.StatusSeeOther || loc != "/account?done=password" {
		t.Fatalf("change = %d %q", code, loc)
	}
	if code, page := quinn.Get(t, "/account?done=password"); code != http.StatusOK || !strings.Contains(page, "Your password is changed.") {
		t.Fatalf("account page = %d", code)
	}
	if code, _ := quinn.Post(t, "/account/password", url.Values{"csrf": {"forged"}, "current": {"a new long password"}, "password": {"mallory was here!"}}); code != http.StatusForbidden {
		t.Fatalf("forged change = %d, want 403", code)
	}
}

func TestCurrentPasswordGuessesAreThrottled(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	quinn := a.signIn(t, "quinn")
	for i := range 3 {
		if code, _ := quinn.Post(t, "/account/password", url.Values{"current": {fmt.Sprint("guess ", i)}, "password": {"a new long password"}}); code != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d = %d, want 422", i, code)
		}
	}
	code, page := quinn.Post(t, "/account/password", url.Values{"current": {password}, "password": {"a new long password"}})
	if code != http.StatusTooManyRequests || !strings.Contains(page, "try again in") {
		t.Fatalf("fourth try = %d, want 429 with when to try again", code)
	}
	if n := a.auditCount(t, accounts.ActionPasswordChangeFailed); n != 4 {
		t.Fatalf("password-change-failed entries = %d, want 4", n)
	}
}

func TestUsersNoticeIsACodeNotText(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	if _, page := admin.Get(t, "/admin/users?done="+url.QueryEscape("Your session expired; sign in again at evil.example")); strings.Contains(page, "evil.example") {
		t.Fatal("the users page shows text from the address bar as a notice")
	}
	code, loc := admin.Post(t, "/admin/users", url.Values{"username": {"rita"}, "password": {password}, "role": {accounts.RoleQA}})
	if code != http.StatusSeeOther || loc != "/admin/users?done=created" {
		t.Fatalf("create = %d %q", code, loc)
	}
	if _, page := admin.Get(t, loc); !strings.Contains(page, `role="status">User created.`) {
		t.Fatal("no notice after creating a user")
	}
	rita, _ := a.store.GetUserByName(t.Context(), "rita")
	code, loc = admin.Post(t, fmt.Sprintf("/admin/users/%d/disable", rita.ID), nil)
	if code != http.StatusSeeOther || loc != "/admin/users?done=disabled" {
		t.Fatalf("disable = %d %q", code, loc)
	}
	if _, page := admin.Get(t, loc); !strings.Contains(page, "User disabled and signed out.") {
		t.Fatal("no notice after disabling a user")
	}
}
