package runs_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/store"
)

// receiver is an alert webhook that keeps what it is sent.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	payloads []runs.AlertPayload
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p runs.AlertPayload
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &p) != nil {
			http.Error(w, "not an alert", http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.payloads = append(rc.payloads, p)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) received() []runs.AlertPayload {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]runs.AlertPayload(nil), rc.payloads...)
}

// scheduledYAML is a scenario the simulator (work type 32 only) plays to
// its end with workType "32", and refuses at once with any other.
func scheduledYAML(workType string) string {
	return fmt.Sprintf(`name: Watched
workTypeId: %q
contactName: Ada
steps:
  - expect: agent_joined
  - say: "hello"
  - expect: agent_message
    contains: 'You said: "hello"'
`, workType)
}

// tickOnce moves the clock past the next tick and waits for the run River's
// periodic job starts, then for its result to reach the monitor.
func tickOnce(t *testing.T, in *instance, clock *testkit.Clock, testID string, runsBefore int) runs.Run {
	t.Helper()
	clock.Advance(time.Minute)
	var rs []runs.Run
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		var err error
		rs, err = in.runs.ListRuns(t.Context(), runs.RunFilter{TestID: testID})
		return err == nil && len(rs) > runsBefore
	}, "a scheduled run started")
	if len(rs) != runsBefore+1 {
		t.Fatalf("%d runs after one tick, want %d", len(rs), runsBefore+1)
	}
	r := in.waitRun(t, rs[0].ID)
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		m, err := in.runs.GetMonitor(t.Context(), testID)
		return err == nil && m.LastRunID == r.ID
	}, fmt.Sprintf("run %d recorded on the monitor", r.ID))
	return r
}

// A scheduled test alerts when it starts failing and when it recovers, not
// on every failed run: two failures then a pass send exactly two alerts.
func TestAScheduledTestAlertsOnFailureAndRecoveryOnce(t *testing.T) {
	engines(t, func(t *testing.T, db func(*testing.T) database) {
		clock := testkit.NewClock(time.Now())
		in := newInstance(t, db(t), options{workTypes: []string{"32"}, now: clock.Now, tick: 50 * time.Millisecond, alertPrivate: true})
		rc := newReceiver(t)
		test, err := in.runs.SaveTest(t.Context(), runs.TestInput{Scenario: scheduledYAML("99"), By: olive})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.runs.Schedule(t.Context(), runs.ScheduleInput{TestID: test.ID, Every: time.Minute, AlertURL: rc.URL + "/hook", By: olive}); err != nil {
			t.Fatal(err)
		}

		first := tickOnce(t, in, clock, test.ID, 0)
		second := tickOnce(t, in, clock, test.ID, 1)
		if first.Status == store.RunPassed || second.Status == store.RunPassed {
			t.Fatalf("runs %s and %s; the scenario should fail", first.Status, second.Status)
		}
		m, err := in.runs.GetMonitor(t.Context(), test.ID)
		if err != nil || m.State != runs.MonitorFailing || m.StateSince == nil {
			t.Fatalf("monitor %+v, %v; want failing since the first run", m, err)
		}
		if _, err := in.runs.SaveTest(t.Context(), runs.TestInput{ID: test.ID, Scenario: scheduledYAML("32"), By: olive}); err != nil {
			t.Fatal(err)
		}
		third := tickOnce(t, in, clock, test.ID, 2)
		if third.Status != store.RunPassed {
			t.Fatalf("run %s: %s", third.Status, third.Reason)
		}

		var alerts []runs.Alert
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			alerts, err = in.runs.ListAlerts(t.Context(), test.ID)
			if err != nil || len(alerts) != 2 {
				return false
			}
			for _, a := range alerts {
				if a.Status != store.AlertDelivered {
					return false
				}
			}
			return true
		}, "two alerts delivered")
		got := rc.received()
		if len(got) != 2 {
			t.Fatalf("the receiver got %d alerts, want 2: %+v", len(got), got)
		}
		if got[0].Event != store.AlertFailing || got[0].Run.ID != first.ID || !strings.Contains(got[0].Text, "started failing") || got[0].Test.Name != "Watched" {
			t.Errorf("first alert %+v", got[0])
		}
		if got[1].Event != store.AlertRecovered || got[1].Run.ID != third.ID || !strings.Contains(got[1].Text, "recovered") {
			t.Errorf("second alert %+v", got[1])
		}
		if !strings.HasPrefix(got[1].Links.Run, in.URL+"/runs/") {
			t.Errorf("run link %q", got[1].Links.Run)
		}
		if alerts[0].ResponseCode != http.StatusOK || alerts[0].Attempts != 1 {
			t.Errorf("delivery %+v", alerts[0])
		}
	})
}

// An alert the webhook fails to take is tried again, and the page shows
// the attempts; one it refuses outright (a 404) is given up at once.
func TestAnAlertIsRetriedUntilTheWebhookTakesIt(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(hook.Close)
	clock := testkit.NewClock(time.Now())
	in := newInstance(t, sqliteDB(t), options{workTypes: []string{"32"}, now: clock.Now, tick: 50 * time.Millisecond, alertPrivate: true})
	test, err := in.runs.SaveTest(t.Context(), runs.TestInput{Scenario: scheduledYAML("99"), By: olive})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.runs.Schedule(t.Context(), runs.ScheduleInput{TestID: test.ID, Every: time.Minute, AlertURL: hook.URL, By: olive}); err != nil {
		t.Fatal(err)
	}
	tickOnce(t, in, clock, test.ID, 0)
	// The first attempt fails with a 503; River tries again after its
	// backoff (10 s).
	testkit.Eventually(t, time.Minute, func() bool {
		alerts, err := in.runs.ListAlerts(t.Context(), test.ID)
		return err == nil && len(alerts) == 1 && alerts[0].Status == store.AlertDelivered && alerts[0].Attempts == 2
	}, "the alert delivered on its second attempt")
}

// Two instances on one Postgres both tick, and each tick of a schedule
// starts one run.
func TestTwoInstancesTickASchedulOnce(t *testing.T) {
	db := postgresDB(t)
	clock := testkit.NewClock(time.Now())
	a := newInstance(t, db, options{now: clock.Now, tick: 50 * time.Millisecond})
	b := newInstance(t, db, options{sim: a, now: clock.Now, tick: 50 * time.Millisecond})
	test, err := a.runs.SaveTest(t.Context(), runs.TestInput{Scenario: scheduledYAML("32"), By: olive})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.runs.Schedule(t.Context(), runs.ScheduleInput{TestID: test.ID, Every: time.Minute, By: olive}); err != nil {
		t.Fatal(err)
	}
	for period := range 2 {
		clock.Advance(time.Minute)
		// Besides River's own ticks, both instances tick at once, again
		// and again: the claim on the tick lets one start the run.
		var wg sync.WaitGroup
		for _, in := range []*instance{a, b, a, b, a, b} {
			wg.Go(func() {
				if err := in.runs.Tick(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var rs []runs.Run
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			rs, err = a.runs.ListRuns(t.Context(), runs.RunFilter{TestID: test.ID})
			return err == nil && len(rs) > period
		}, "the period's run")
		if len(rs) != period+1 {
			t.Fatalf("period %d: %d runs, want %d", period, len(rs), period+1)
		}
		if r := b.waitRun(t, rs[0].ID); r.Status != store.RunPassed {
			t.Fatalf("run %s: %s", r.Status, r.Reason)
		}
	}
}

// Schedules and webhook URLs are bounded and checked, each refusal naming
// its field and problem.
func TestScheduleInputIsValidated(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{noWorkers: true})
	test, err := in.runs.SaveTest(t.Context(), runs.TestInput{Scenario: scheduledYAML("32"), By: olive})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		in    runs.ScheduleInput
		field string
		says  string
	}{
		{"nothing", runs.ScheduleInput{}, "every", "Give an interval or a cron expression"},
		{"both", runs.ScheduleInput{Every: time.Hour, Cron: "0 * * * *"}, "cron", "not both"},
		{"too often", runs.ScheduleInput{Every: 30 * time.Second}, "every", "from 1 minute to 24 hours"},
		{"too rare", runs.ScheduleInput{Every: 25 * time.Hour}, "every", "from 1 minute to 24 hours"},
		{"bad cron", runs.ScheduleInput{Cron: "every day"}, "cron", "is not valid"},
		{"six fields", runs.ScheduleInput{Cron: "* * * * * *"}, "cron", "is not valid"},
		{"@every", runs.ScheduleInput{Cron: "@every 1s"}, "cron", "Use the interval"},
		{"never", runs.ScheduleInput{Cron: "0 0 30 2 *"}, "cron", "never fires"},
		{"long cron", runs.ScheduleInput{Cron: strings.Repeat("1,", 60) + "1 * * * *"}, "cron", "at most 100"},
		{"ftp", runs.ScheduleInput{Every: time.Hour, AlertURL: "ftp://example.com/hook"}, "alert_url", "http or https"},
		{"relative", runs.ScheduleInput{Every: time.Hour, AlertURL: "/hook"}, "alert_url", "http or https"},
		{"userinfo", runs.ScheduleInput{Every: time.Hour, AlertURL: "https://u:p@example.com/hook"}, "alert_url", "user name"},
		{"too long", runs.ScheduleInput{Every: time.Hour, AlertURL: "https://example.com/" + strings.Repeat("a", 2100)}, "alert_url", "at most 2048"},
		{"loopback", runs.ScheduleInput{Every: time.Hour, AlertURL: "http://127.0.0.1:9/hook"}, "alert_url", "PARLEY_ALERT_ALLOW_PRIVATE"},
		{"metadata", runs.ScheduleInput{Every: time.Hour, AlertURL: "http://169.254.169.254/latest"}, "alert_url", "private or local"},
		{"private v6", runs.ScheduleInput{Every: time.Hour, AlertURL: "http://[fd00::1]/hook"}, "alert_url", "private or local"},
		{"mapped v4", runs.ScheduleInput{Every: time.Hour, AlertURL: "http://[::ffff:10.0.0.1]/hook"}, "alert_url", "private or local"},
		{"localhost", runs.ScheduleInput{Every: time.Hour, AlertURL: "http://LocalHost./hook"}, "alert_url", "localhost"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.TestID, c.in.By = test.ID, olive
			_, err := in.runs.Schedule(t.Context(), c.in)
			var ie *input.Error
			if !errors.As(err, &ie) || !strings.Contains(ie.Fields[c.field], c.says) {
				t.Fatalf("got %v, want a %s problem saying %q", err, c.field, c.says)
			}
		})
	}
	// Accepted: the bounds themselves, cron names and time zones.
	for _, ok := range []runs.ScheduleInput{
		{Every: time.Minute}, {Every: 24 * time.Hour}, {Cron: "*/15 8-18 * * 1-5"}, {Cron: "@hourly"},
		{Cron: "CRON_TZ=Europe/Paris 0 9 * * *", AlertURL: "https://hooks.example.com/services/T0/B0/x"},
	} {
		ok.TestID, ok.By = test.ID, olive
		if _, err := in.runs.Schedule(t.Context(), ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	if _, err := in.runs.Schedule(t.Context(), runs.ScheduleInput{TestID: "no-such-test", Every: time.Hour, By: olive}); !errors.Is(err, runs.ErrNotFound) {
		t.Errorf("a schedule on no test: %v", err)
	}
}
