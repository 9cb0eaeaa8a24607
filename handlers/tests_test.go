package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
	"github.com/parley-dev/parley/views"
)

// runAtOnce is the runs service's queue without River: each run is played
// as soon as it is queued, and the test waits for every one before its
// store closes.
type runAtOnce struct {
	svc *runs.Service
	wg  sync.WaitGroup
}

func newRunAtOnce(t *testing.T, svc *runs.Service) *runAtOnce {
	q := &runAtOnce{svc: svc}
	t.Cleanup(q.wg.Wait)
	return q
}

func (q *runAtOnce) EnqueueRun(ctx context.Context, id int64) error {
	q.wg.Go(func() { q.svc.Execute(context.WithoutCancel(ctx), id) })
	return nil
}

// EnqueueLoadSessions plays each session at once, ramp-up or not.
func (q *runAtOnce) EnqueueLoadSessions(ctx context.Context, jobs []runs.LoadJob) error {
	for _, j := range jobs {
		q.wg.Go(func() { q.svc.ExecuteLoadSession(context.WithoutCancel(ctx), j.LoadRunID, j.Number) })
	}
	return nil
}

var (
	runLocation  = regexp.MustCompile(`^/runs/(\d+)$`)
	testLocation = regexp.MustCompile(`^/tests/([^/]+)$`)
)

// saveTest saves a scenario through the editor and returns the test's id.
func saveTest(t *testing.T, u *user, name, yaml string) string {
	t.Helper()
	code, loc := u.Post(t, "/tests", url.Values{"name": {name}, "scenario": {yaml}})
	m := testLocation.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("save test = %d %q", code, loc)
	}
	return m[1]
}

// runTest runs a test once from its page and waits for the run to finish.
func (a *app) runTest(t *testing.T, u *user, testID string) (int64, store.Run) {
	t.Helper()
	code, loc := u.Post(t, "/tests/"+testID+"/runs", url.Values{"count": {"1"}})
	m := runLocation.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("run = %d %q", code, loc)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	var r store.Run
	// Longer than a step's default wait (30s), so a failing step reports
	// its reason rather than this wait running out first.
	testkit.Eventually(t, 90*time.Second, func() bool {
		r, _ = a.store.GetRun(t.Context(), id)
		return r.Status == store.RunPassed || r.Status == store.RunFailed || r.Status == store.RunErrored
	}, "the run finishes")
	return id, r
}

// page reads a page as u, which must answer 200.
func page(t *testing.T, u *user, path string) string {
	t.Helper()
	code, body := u.Get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d:\n%s", path, code, body)
	}
	return html.UnescapeString(body)
}

func mustContain(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestTestsWrittenRunAndShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		olive, quinn := a.signIn(t, "olive"), a.signIn(t, "quinn")

		mustContain(t, "the empty Tests page", page(t, olive, "/tests"), "No tests yet", `href="/tests/new"`, "Save as test")
		mustContain(t, "the New test editor", page(t, olive, "/tests/new"), "Save test", views.ExampleScenario, "session_failed", "#transfer")

		id := saveTest(t, olive, "", views.ExampleScenario)
		runID, r := a.runTest(t, olive, id)
		if r.Status != store.RunPassed {
			t.Fatalf("the example scenario's run = %s (%s); it must pass on the simulator", r.Status, r.Reason)
		}

		list := page(t, olive, "/tests")
		mustContain(t, "the Tests page", list, "Greeting and order question", "run-passed", "100%", fmt.Sprintf(`href="/runs/%d"`, runID))
		testPage := page(t, olive, "/tests/"+id)
		mustContain(t, "the test page", testPage, `<svg class="run-chart"`, `class="bar passed"`, "Run history", ">Run</button>", `name="count"`, `value="1"`, "contactName")
		runPage := page(t, olive, fmt.Sprintf("/runs/%d", runID))
		mustContain(t, "the run page", runPage, "step-passed", "expect agent_message contains", "/sessions/"+r.SessionID, `href="/tests/`+id+`"`)
		if strings.Contains(runPage, "step-failed") {
			t.Error("a passed run shows a failed step")
		}
		mustContain(t, "the run's session page", page(t, olive, "/sessions/"+r.SessionID), fmt.Sprintf("Session of test run <a href=\"/runs/%d\">#%d</a>", runID, runID))

		// QA reads everything but writes and runs nothing.
		qaPage := page(t, quinn, "/tests/"+id)
		if strings.Contains(qaPage, ">Run</button>") || strings.Contains(page(t, quinn, "/tests"), `href="/tests/new"`) {
			t.Error("QA is offered Run or New test")
		}
		for _, p := range []string{"/tests/" + id + "/runs", "/tests"} {
			if code, _ := quinn.Post(t, p, url.Values{"count": {"1"}, "scenario": {views.ExampleScenario}}); code != http.StatusForbidden {
				t.Errorf("QA POST %s = %d, want 403", p, code)
			}
		}
	})
}

func TestTestEditorListsEveryProblemWithItsLine(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	olive := a.signIn(t, "olive")
	bad := "name: Broken\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - expect: agent_smiled\n  - say: \"hi\"\n  - wait: forever\n"
	code, body := olive.Post(t, "/tests", url.Values{"name": {"Mine"}, "scenario": {bad}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid scenario = %d, want 422", code)
	}
	body = html.UnescapeString(body)
	mustContain(t, "the editor after an invalid scenario", body, "The scenario has 2 problems", "Line 5, column", "Line 7, column", "agent_smiled", `value="Mine"`, bad)
	if n := a.auditCount(t, accounts.ActionTestSave); n != 0 {
		t.Errorf("an invalid test was saved (%d audit records)", n)
	}

	// Editing keeps the form and its address; a missing test is a 404.
	id := saveTest(t, olive, "Mine", views.ExampleScenario)
	mustContain(t, "the edit form", page(t, olive, "/tests/"+id+"/edit"), "Edit test", `action="/tests/`+id+`"`, `value="Mine"`)
	if code, loc := olive.Post(t, "/tests/"+id, url.Values{"name": {"Renamed"}, "scenario": {views.ExampleScenario}}); code != http.StatusSeeOther || loc != "/tests/"+id {
		t.Fatalf("update = %d %q", code, loc)
	}
	mustContain(t, "the renamed test's page", page(t, olive, "/tests/"+id), "Renamed")
	for _, p := range []string{"/tests/nope", "/tests/nope/edit", "/runs/999999", "/runs/abc"} {
		if code, body := olive.Get(t, p); code != http.StatusNotFound || !strings.Contains(body, "There is no such test or run.") {
			t.Errorf("GET %s = %d, want 404 with the reason", p, code)
		}
	}
	if code, body := olive.Post(t, "/tests/"+id+"/runs", url.Values{"count": {"many"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Runs must be from 1 to") {
		t.Errorf("run with count many = %d, want 422 naming the bounds", code)
	}
}

func TestFailedRunExplainsItsStep(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	olive := a.signIn(t, "olive")
	yaml := strings.Replace(views.ExampleScenario, `contains: "1234"`, `contains: "refund approved"`+"\n    within: 3s", 1)
	id := saveTest(t, olive, "Refund", yaml)
	runID, r := a.runTest(t, olive, id)
	if r.Status != store.RunFailed || r.FailedStep == nil || *r.FailedStep != 4 {
		t.Fatalf("run = %s at step %v (%s), want failed at step 4", r.Status, r.FailedStep, r.Reason)
	}
	runPage := page(t, olive, fmt.Sprintf("/runs/%d", runID))
	mustContain(t, "the failed run's page", runPage, `id="step-4" class="step step-failed"`, "Expected", "Arrived instead", "refund approved", "step-skipped", r.Reason)
	mustContain(t, "the test's history", page(t, olive, "/tests/"+id), "run-failed", "Step 4", `class="bar failed"`, "0%")
}

func TestSaveAsTestReplaysTheSession(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	olive := a.signIn(t, "olive")
	sessionID := a.startSession(t, olive)
	// A person answers the greeting; writing before it arrives would make
	// a script whose say comes before the greeting it then expects.
	testkit.Eventually(t, 10*time.Second, func() bool {
		s, _ := a.store.GetSession(t.Context(), sessionID)
		return s.MessageCount >= 1
	}, "the agent's greeting")
	if code, _ := olive.Post(t, "/sessions/"+sessionID+"/messages", url.Values{"text": {"Where is my order 1234?"}}); code != http.StatusSeeOther {
		t.Fatalf("send = %d", code)
	}
	testkit.Eventually(t, 10*time.Second, func() bool {
		s, _ := a.store.GetSession(t.Context(), sessionID)
		return s.MessageCount >= 3 // greeting, question, answer
	}, "the agent answers")
	if code, _ := olive.Post(t, "/sessions/"+sessionID+"/end", nil); code != http.StatusSeeOther {
		t.Fatalf("end = %d", code)
	}
	testkit.Eventually(t, 10*time.Second, func() bool {
		s, _ := a.store.GetSession(t.Context(), sessionID)
		return s.State == store.SessionEnded
	}, "the session ends")

	mustContain(t, "the session page", page(t, olive, "/sessions/"+sessionID), `href="/tests/new?from=`+sessionID+`"`, "Save as test")
	editor := page(t, olive, "/tests/new?from="+sessionID)
	mustContain(t, "the editor from a session", editor, "New test", `<a href="/sessions/`+sessionID+`">that session's conversation</a>`, "- expect: agent_joined", `- say: "Where is my order 1234?"`, "- expect: agent_message\n    contains: \"Hi Ada, this is\"", "- end: true\n  - expect: session_ended")
	script := editor[strings.Index(editor, "name: "):strings.Index(editor, "</textarea>")]
	id := saveTest(t, olive, "", script)
	if _, r := a.runTest(t, olive, id); r.Status != store.RunPassed {
		t.Fatalf("the replay = %s (%s); want passed. Script:\n%s", r.Status, r.Reason, script)
	}

	quinn := a.signIn(t, "quinn")
	if strings.Contains(page(t, quinn, "/sessions/"+sessionID), "Save as test") {
		t.Error("QA is offered Save as test")
	}
	if code, _ := olive.Get(t, "/tests/new?from=nope"); code != http.StatusNotFound {
		t.Errorf("Save as test of no session = %d, want 404", code)
	}
}

// Deleting a test keeps its runs readable, as its confirmation promises:
// a run's page and its session's page still open, without a link to the
// test that is gone.
func TestARunOutlivesItsDeletedTest(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	olive := a.signIn(t, "olive")
	id := saveTest(t, olive, "Soon gone", views.ExampleScenario)
	runID, r := a.runTest(t, olive, id)
	if code, loc := olive.Post(t, "/tests/"+id+"/delete", url.Values{"confirm": {"yes"}}); code != http.StatusSeeOther || loc != "/tests" {
		t.Fatalf("delete = %d %q", code, loc)
	}
	runPage := page(t, olive, fmt.Sprintf("/runs/%d", runID))
	mustContain(t, "the run page of a deleted test", runPage, "step-passed", `href="/tests"`)
	if strings.Contains(runPage, `href="/tests/`+id+`"`) {
		t.Error("the run page links to the deleted test")
	}
	page(t, olive, "/sessions/"+r.SessionID)
}
