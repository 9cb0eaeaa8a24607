package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// apiApp is the console on a real SQLite store with the runs service on its
// River queue. No worker takes the runs: the API's answers are about
// queueing and reading them (cmd/parley's end-to-end test runs them).
type apiApp struct {
	URL    string
	store  *store.Store
	people *accounts.Service
	runs   *runs.Service
	tokens map[string]string // username → API token
}

const apiScenario = `name: Greeting
workTypeId: "32"
contactName: "API test {{run}}"
steps:
  - expect: agent_message
    contains: "help"
  - say: "hello"
`

func newAPIApp(t *testing.T) *apiApp {
	t.Helper()
	st := storetest.SQLite(t)
	hub := live.NewHub()
	people := accounts.New(accounts.Config{Store: st, Live: hub})
	if _, err := people.Bootstrap(t.Context(), "admin", password); err != nil {
		t.Fatal(err)
	}
	a := &apiApp{store: st, people: people, tokens: map[string]string{}}
	admin := accounts.Actor{Username: "admin"}
	for _, u := range []struct{ name, role string }{{"olive", accounts.RoleOperator}, {"quinn", accounts.RoleQA}, {"admin", ""}} {
		if u.role != "" {
			if err := people.CreateUser(t.Context(), admin, u.name, password, u.role); err != nil {
				t.Fatal(err)
			}
		}
		tok, err := people.CreateToken(t.Context(), admin, u.name, "ci")
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[u.name] = tok.Token
	}
	convs := conversation.New(conversation.Config{Store: st, Live: hub, Connection: "simulator", Audit: people})
	a.runs = runs.New(runs.Config{Store: st, Conversations: convs, Live: hub, Audit: people})
	jobs, err := runs.NewJobs(t.Context(), runs.JobsConfig{Store: st, Workers: 0}, a.runs)
	if err != nil {
		t.Fatal(err)
	}
	a.runs.SetQueue(jobs)
	srv := httptest.NewServer(handlers.NewRouter(handlers.Deps{Health: st, Sessions: convs, Runs: a.runs, Accounts: people, Live: hub}))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// call sends one API request with token (none when empty) and decodes the
// JSON answer into out (when not nil).
func (a *apiApp) call(t *testing.T, token, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, a.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s = %d: decode: %v", method, path, resp.StatusCode, err)
		}
	}
	return resp.StatusCode
}

// apiError is the API's error body.
type apiError struct {
	Error    string `json:"error"`
	Problems []struct {
		Line, Column int
		Message      string
	} `json:"problems"`
}

// wantError checks one refused request: its status and a sentence in its
// JSON error.
func (a *apiApp) wantError(t *testing.T, token, method, path, body string, status int, sentence string) apiError {
	t.Helper()
	var e apiError
	if got := a.call(t, token, method, path, body, &e); got != status || !strings.Contains(e.Error, sentence) {
		t.Errorf("%s %s = %d %+v, want %d with %q", method, path, got, e, status, sentence)
	}
	return e
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAPIRefusesRequestsWithoutAGoodToken(t *testing.T) {
	a := newAPIApp(t)
	ctx := t.Context()

	a.wantError(t, "", "GET", "/api/v1/tests", "", 401, "needs a personal API token")
	a.wantError(t, "parley_not-a-token", "GET", "/api/v1/tests", "", 401, "unknown or revoked")
	req, _ := http.NewRequest("GET", a.URL+"/api/v1/tests", nil)
	req.Header.Set("Authorization", "bearer  "+a.tokens["olive"]) // the scheme is case-insensitive
	if code, _ := testkit.Do(t, req); code != 200 {
		t.Errorf("lower-case bearer = %d, want 200", code)
	}
	a.wantError(t, "", "GET", "/api/v1/no/such/thing", "", 404, "no page")

	// Basic authentication or a signed-in browser's cookie are no token.
	req, _ = http.NewRequest("GET", a.URL+"/api/v1/tests", nil)
	req.SetBasicAuth("olive", password)
	if code, _ := testkit.Do(t, req); code != 401 {
		t.Errorf("basic auth = %d, want 401", code)
	}
	browser := testkit.SignIn(t, a.URL, "olive", password)
	if code, body := browser.Get(t, "/api/v1/tests"); code != 401 || !strings.Contains(body, `"error"`) {
		t.Errorf("signed-in browser = %d %s, want 401 JSON", code, body)
	}
	resp, err := http.Get(a.URL + "/api/v1/tests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate = %q", got)
	}

	// A disabled user's token is refused, and works again once enabled.
	if code := a.call(t, a.tokens["olive"], "GET", "/api/v1/tests", "", nil); code != 200 {
		t.Fatalf("olive's token = %d", code)
	}
	olive, _ := a.store.GetUserByName(ctx, "olive")
	admin := accounts.Actor{Username: "admin"}
	if err := a.people.SetDisabled(ctx, admin, olive.ID, true); err != nil {
		t.Fatal(err)
	}
	a.wantError(t, a.tokens["olive"], "GET", "/api/v1/tests", "", 401, "disabled")
	if err := a.people.SetDisabled(ctx, admin, olive.ID, false); err != nil {
		t.Fatal(err)
	}

	// A revoked token is refused at once.
	list, _ := a.people.ListTokens(ctx, "olive")
	if err := a.people.RevokeToken(ctx, accounts.Actor{Username: "olive"}, list[0].ID); err != nil {
		t.Fatal(err)
	}
	a.wantError(t, a.tokens["olive"], "GET", "/api/v1/tests", "", 401, "revoked")

	// Every use of a known token is audited as its owner, never with the secret.
	uses, err := a.store.ListAudit(ctx, store.AuditFilter{Action: accounts.ActionTokenUse, Limit: -1})
	if err != nil || len(uses) != 4 {
		t.Fatalf("token-use entries = %d, %v", len(uses), err)
	}
	for _, e := range uses {
		if e.Actor != "olive" || !strings.Contains(e.Target, "ci (token ") || !strings.Contains(e.Detail, "GET /api/v1/tests") ||
			strings.Contains(e.Target+e.Detail, a.tokens["olive"]) {
			t.Errorf("audit entry %+v", e)
		}
	}
	if !strings.HasPrefix(uses[0].Detail, "refused (revoked)") || !strings.HasPrefix(uses[1].Detail, "refused (user disabled)") {
		t.Errorf("refused uses are not marked: %q, %q", uses[0].Detail, uses[1].Detail)
	}
}

func TestAPIStartsAndReadsRuns(t *testing.T) {
	a := newAPIApp(t)
	olive := a.tokens["olive"]

	var started struct {
		Runs []struct {
			ID                      int64
			Name, Status, StartedBy string
		}
	}
	if code := a.call(t, olive, "POST", "/api/v1/runs", jsonBody(t, map[string]any{"scenario": apiScenario, "runs": 2}), &started); code != 202 {
		t.Fatalf("start = %d", code)
	}
	if len(started.Runs) != 2 || started.Runs[0].Name != "Greeting" || started.Runs[0].Status != runs.StatusQueued || started.Runs[0].StartedBy != "olive" {
		t.Fatalf("started = %+v", started)
	}

	var run struct {
		ID     int64
		Status string
		Steps  []struct {
			Number      int
			Line        int
			Description string
			Status      string
		}
	}
	if code := a.call(t, olive, "GET", fmt.Sprintf("/api/v1/runs/%d", started.Runs[1].ID), "", &run); code != 200 {
		t.Fatalf("get run = %d", code)
	}
	if run.ID != started.Runs[1].ID || len(run.Steps) != 3 || run.Steps[0].Number != 0 ||
		run.Steps[1].Description != `expect agent_message contains "help"` || run.Steps[2].Line != 7 || run.Steps[2].Status != runs.StepPending {
		t.Fatalf("run = %+v", run)
	}

	// A saved test runs by its id; its runs list under it, and the tests
	// list shows the pass rate and the last result.
	test, err := a.runs.SaveTest(t.Context(), runs.TestInput{Name: "Greeting test", Scenario: apiScenario, By: accounts.Actor{Username: "olive"}})
	if err != nil {
		t.Fatal(err)
	}
	var byTest struct{ Runs []struct{ ID int64 } }
	if code := a.call(t, olive, "POST", "/api/v1/runs", jsonBody(t, map[string]any{"testId": test.ID, "runs": 2}), &byTest); code != 202 || len(byTest.Runs) != 2 {
		t.Fatalf("start test = %d %+v", code, byTest)
	}
	for i, status := range []string{store.RunPassed, store.RunFailed} {
		if _, err := a.store.FinishRun(t.Context(), byTest.Runs[i].ID, status, "", nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var listed struct {
		Runs []struct {
			ID     int64
			TestID string
		}
		NextBefore int64
	}
	if code := a.call(t, a.tokens["quinn"], "GET", "/api/v1/runs?testId="+url.QueryEscape(test.ID), "", &listed); code != 200 ||
		len(listed.Runs) != 2 || listed.Runs[0].ID != byTest.Runs[1].ID || listed.Runs[0].TestID != test.ID || listed.NextBefore != 0 {
		t.Fatalf("runs of the test = %d %+v", code, listed)
	}
	if code := a.call(t, olive, "GET", fmt.Sprintf("/api/v1/runs?before=%d", byTest.Runs[0].ID), "", &listed); code != 200 ||
		len(listed.Runs) != 2 || listed.Runs[0].ID != started.Runs[1].ID {
		t.Fatalf("runs before %d = %d %+v", byTest.Runs[0].ID, code, listed)
	}
	var tests struct {
		Tests []struct {
			ID, Name, Scenario, LastStatus string
			Runs                           int
			PassRate                       float64
		}
	}
	if code := a.call(t, a.tokens["quinn"], "GET", "/api/v1/tests", "", &tests); code != 200 || len(tests.Tests) != 1 {
		t.Fatalf("tests = %d %+v", code, tests)
	}
	if got := tests.Tests[0]; got.ID != test.ID || got.Runs != 2 || got.PassRate != 0.5 || got.LastStatus != store.RunFailed || got.Scenario != apiScenario {
		t.Fatalf("test = %+v", got)
	}
	if n := len(auditOf(t, a.store, accounts.ActionRunStart)); n != 4 {
		t.Errorf("run-start entries = %d, want 4", n)
	}
}

func TestAPIErrorsAreJSONWithTheRightStatus(t *testing.T) {
	a := newAPIApp(t)
	olive := a.tokens["olive"]
	invalid := "name: Broken\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - expect: agent_mesage\n  - wait: soon\n"

	for _, c := range []struct {
		name, token, method, path, body string
		status                          int
		sentence                        string
	}{
		{"QA starts a run", a.tokens["quinn"], "POST", "/api/v1/runs", jsonBody(t, map[string]any{"scenario": apiScenario}), 403, "Your role (qa) cannot do this"},
		{"operator reads a transcript", olive, "GET", "/api/v1/sessions/nope/transcript", "", 403, "Your role (operator)"},
		{"wrong method", olive, "DELETE", "/api/v1/runs", "", 405, "does not take that kind of request"},
		{"no such run", olive, "GET", "/api/v1/runs/99999", "", 404, "There is no such test or run."},
		{"run id not a number", olive, "GET", "/api/v1/runs/abc", "", 404, "There is no such test or run."},
		{"no such test", olive, "POST", "/api/v1/runs", `{"testId": "no-such-test"}`, 404, "There is no such test or run."},
		{"no such session", a.tokens["quinn"], "GET", "/api/v1/sessions/no-such-session/transcript", "", 404, "There is no session"},
		{"bad cursor", olive, "GET", "/api/v1/runs?before=yesterday", "", 400, "page link is not valid"},
		{"not JSON", olive, "POST", "/api/v1/runs", `name: Greeting`, 400, "not the JSON this API reads"},
		{"empty body", olive, "POST", "/api/v1/runs", ``, 400, "empty"},
		{"unknown field", olive, "POST", "/api/v1/runs", `{"scenarios": "x"}`, 400, `unknown field "scenarios"`},
		{"nothing to run", olive, "POST", "/api/v1/runs", `{}`, 422, "Give a saved test or a scenario"},
		{"too many runs", olive, "POST", "/api/v1/runs", jsonBody(t, map[string]any{"scenario": apiScenario, "runs": runs.MaxRunsAtOnce + 1}), 422, "Runs must be from 1 to 50"},
		{"scenario too large", olive, "POST", "/api/v1/runs", jsonBody(t, map[string]any{"scenario": apiScenario + "# " + strings.Repeat("x", scenario.MaxBytes)}), 413, "too large"},
		{"body too large", olive, "POST", "/api/v1/runs", jsonBody(t, map[string]any{"scenario": strings.Repeat("\n", scenario.MaxBytes*2)}), 413, "too large"},
	} {
		t.Run(c.name, func(t *testing.T) { a.wantError(t, c.token, c.method, c.path, c.body, c.status, c.sentence) })
	}

	e := a.wantError(t, olive, "POST", "/api/v1/runs", jsonBody(t, map[string]any{"scenario": invalid}), 422, "The scenario is not valid")
	if len(e.Problems) < 2 || e.Problems[0].Line != 5 || e.Problems[0].Column == 0 || !strings.Contains(e.Problems[0].Message, "agent_mesage") || e.Problems[1].Line != 6 {
		t.Errorf("problems = %+v", e.Problems)
	}
	if n := len(auditOf(t, a.store, accounts.ActionRunStart)); n != 0 {
		t.Errorf("refused requests started %d runs", n)
	}
}

func TestAPIReturnsATranscriptToWhoMayExport(t *testing.T) {
	a := newAPIApp(t)
	sess := store.Session{WorkTypeID: "32", ContactName: "Ada", Connection: "simulator", State: store.SessionConnected, StartedBy: "olive"}
	if err := a.store.CreateSession(t.Context(), &sess); err != nil {
		t.Fatal(err)
	}
	m := store.Message{SessionID: sess.ID, Direction: store.DirectionCustomer, Text: "Where is my parcel?", Status: store.MessageSent}
	if _, err := a.store.AddMessage(t.Context(), &m); err != nil {
		t.Fatal(err)
	}
	var transcript struct {
		Session struct {
			ID      string `json:"id"`
			Contact string `json:"contact"`
		}
		Messages []struct {
			Text string `json:"text"`
		}
	}
	if code := a.call(t, a.tokens["quinn"], "GET", "/api/v1/sessions/"+sess.ID+"/transcript", "", &transcript); code != 200 {
		t.Fatalf("transcript = %d", code)
	}
	if transcript.Session.ID != sess.ID || transcript.Session.Contact != "Ada" || len(transcript.Messages) != 1 || transcript.Messages[0].Text != "Where is my parcel?" {
		t.Fatalf("transcript = %+v", transcript)
	}
	exports := auditOf(t, a.store, accounts.ActionExport)
	if len(exports) != 1 || exports[0].Actor != "quinn" || exports[0].Target != sess.ID {
		t.Fatalf("export audit = %+v", exports)
	}
}

func TestAccountPageCreatesShowsOnceAndRevokesTokens(t *testing.T) {
	a := newAPIApp(t)
	olive := testkit.SignIn(t, a.URL, "olive", password)

	if code, page := olive.Post(t, "/account/tokens", url.Values{"token_name": {"  "}}); code != 422 || !strings.Contains(page, "Give the token a label") {
		t.Fatalf("token without a label = %d\n%s", code, page)
	}
	code, page := olive.Post(t, "/account/tokens", url.Values{"token_name": {"GitHub Actions"}})
	secret := tokenOnPage(t, page)
	if code != 201 || !strings.Contains(page, "Copy it now: it is not shown again") {
		t.Fatalf("create = %d\n%s", code, page)
	}
	if code := a.call(t, secret, "GET", "/api/v1/tests", "", nil); code != 200 {
		t.Fatalf("new token = %d", code)
	}
	_, page = olive.Get(t, "/account")
	if !strings.Contains(page, "GitHub Actions") || strings.Contains(page, secret) {
		t.Fatalf("account page lists the token without its secret? \n%s", page)
	}
	list, _ := a.people.ListTokens(t.Context(), "olive")
	if list[0].LastUsedAt == nil {
		t.Fatalf("last used not recorded: %+v", list[0])
	}

	// Someone else's token cannot be revoked from this page.
	quinn, _ := a.people.ListTokens(t.Context(), "quinn")
	if code, _ := olive.Post(t, fmt.Sprintf("/account/tokens/%d/revoke", quinn[0].ID), nil); code != 404 {
		t.Fatalf("revoke quinn's token = %d, want 404", code)
	}
	if code, loc := olive.Post(t, fmt.Sprintf("/account/tokens/%d/revoke", list[0].ID), nil); code != 303 || loc != "/account?done=revoked" {
		t.Fatalf("revoke = %d %q", code, loc)
	}
	a.wantError(t, secret, "GET", "/api/v1/tests", "", 401, "revoked")
	if _, page = olive.Get(t, "/account?done=revoked"); !strings.Contains(page, "The token is revoked") || !strings.Contains(page, "revoked</span>") {
		t.Fatalf("account page after revoking:\n%s", page)
	}
	if code, _ := olive.Post(t, "/account/tokens", url.Values{"token_name": {"forged"}, "csrf": {"wrong"}}); code != 403 {
		t.Fatalf("token created without the CSRF token: %d", code)
	}
}

var tokenCode = strings.NewReplacer("<code id=\"new-token\">", "\x00", "</code>", "\x00")

// tokenOnPage is the new token the account page shows once.
func tokenOnPage(t *testing.T, page string) string {
	t.Helper()
	parts := strings.Split(tokenCode.Replace(page), "\x00")
	for i, p := range parts {
		if i > 0 && strings.HasPrefix(p, accounts.TokenPrefix) {
			return p
		}
	}
	t.Fatalf("no new token on the page:\n%s", page)
	return ""
}

func auditOf(t *testing.T, st *store.Store, action string) []store.AuditEntry {
	t.Helper()
	rows, err := st.ListAudit(context.WithoutCancel(t.Context()), store.AuditFilter{Action: action, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// One person cannot fill the queue for everyone: past the limit of runs
// queued or running at once, a request is refused whole with 429, and
// another person can still queue theirs.
func TestAPIRefusesRunsPastOnePersonsLimit(t *testing.T) {
	a := newAPIApp(t)
	fifty := jsonBody(t, map[string]any{"scenario": apiScenario, "runs": runs.MaxRunsAtOnce})
	for i := 0; i < runs.DefaultMaxActiveRuns/runs.MaxRunsAtOnce; i++ {
		if code := a.call(t, a.tokens["olive"], "POST", "/api/v1/runs", fifty, nil); code != 202 {
			t.Fatalf("request %d = %d", i+1, code)
		}
	}
	one := jsonBody(t, map[string]any{"scenario": apiScenario})
	a.wantError(t, a.tokens["olive"], "POST", "/api/v1/runs", one, 429, "at most 200 may be queued or running at once")
	queued, err := a.runs.ListRuns(t.Context(), runs.RunFilter{Status: runs.StatusQueued, Limit: 1000})
	if err != nil || len(queued) != runs.DefaultMaxActiveRuns {
		t.Fatalf("%d runs queued, %v", len(queued), err)
	}
	if code := a.call(t, a.tokens["admin"], "POST", "/api/v1/runs", one, nil); code != 202 {
		t.Errorf("another person's run = %d, want 202", code)
	}
}

// A token's use is audited with the request's path, which a client chooses:
// a path as long as a request line, or one holding NUL, is recorded short
// and storable, and the request is answered as any other.
func TestAPIAuditsAHostilePathShortly(t *testing.T) {
	a := newAPIApp(t)
	long := strings.Repeat("9", 100_000)
	a.wantError(t, a.tokens["olive"], "GET", "/api/v1/runs/"+long, "", 404, "no such test or run")
	a.wantError(t, a.tokens["olive"], "GET", "/api/v1/runs/%00%ff", "", 404, "no such test or run")
	uses, err := a.store.ListAudit(t.Context(), store.AuditFilter{Action: accounts.ActionTokenUse, Limit: -1})
	if err != nil || len(uses) != 2 {
		t.Fatalf("token-use entries = %d, %v", len(uses), err)
	}
	for _, e := range uses {
		if n := len([]rune(e.Detail)); n > 200 || !strings.HasPrefix(e.Detail, "GET /api/v1/runs/") {
			t.Errorf("audit detail of %d characters: %.80q", n, e.Detail)
		}
	}
}

// The page showing a new token's secret, and the API's answers, are never
// kept by a cache: the secret is to be shown once, and the API carries
// transcripts.
func TestTokenPageAndAPIAnswersAreNotCached(t *testing.T) {
	a := newAPIApp(t)
	olive := testkit.SignIn(t, a.URL, "olive", password)
	resp, err := olive.HTTP.PostForm(a.URL+"/account/tokens", url.Values{"token_name": {"laptop"}, "csrf": {olive.CSRF}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("new token page = %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	for _, token := range []string{a.tokens["olive"], ""} {
		req, _ := http.NewRequest("GET", a.URL+"/api/v1/runs", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET /api/v1/runs = %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
}
