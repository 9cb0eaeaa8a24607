package runs_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// engines runs fn on SQLite and on Postgres.
func engines(t *testing.T, fn func(t *testing.T, db func(*testing.T) database)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteDB) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresDB) })
}

// The scenario in the issue runs as written against the simulator, every
// step of every kind passing, as one ordinary session marked with the run.
func TestTheDocumentedScenarioPasses(t *testing.T) {
	yaml, err := os.ReadFile("../scenario/testdata/order-status.yaml")
	if err != nil {
		t.Fatal(err)
	}
	engines(t, func(t *testing.T, db func(*testing.T) database) {
		in := newInstance(t, db(t), options{})
		r := in.runScenario(t, string(yaml))
		if r.Status != store.RunPassed {
			t.Fatalf("run %s: %s\n%s", r.Status, r.Reason, describe(r))
		}
		if len(r.Steps) != 14 {
			t.Fatalf("%d steps", len(r.Steps))
		}
		for _, s := range r.Steps {
			if s.Status != store.StepPassed || s.StartedAt == nil || s.FinishedAt == nil {
				t.Errorf("step %d %q: %s", s.Number, s.Description, s.Status)
			}
		}
		sess, err := in.store.GetSession(t.Context(), r.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		if sess.RunID == nil || *sess.RunID != r.ID || sess.ContactName != "Order test "+itoa(r.ID) || sess.State != store.SessionEnded {
			t.Errorf("session %+v is not the run's", sess)
		}
	})
}

// A failure names its step, what was expected and what arrived instead,
// skips the steps after it, and leaves no session open.
func TestAFailingExpectationIsExplained(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{})
	r := in.runScenario(t, `name: Wrong greeting
workTypeId: "32"
contactName: Ada
timeout: 2s
steps:
  - expect: agent_message
    contains: "Goodbye"
  - say: never sent
`)
	if r.Status != store.RunFailed || r.FailedStep == nil || *r.FailedStep != 1 {
		t.Fatalf("run %s, failed step %v: %s", r.Status, r.FailedStep, r.Reason)
	}
	failed := r.Steps[1]
	if failed.Status != store.StepFailed || failed.Expected != `expect agent_message contains "Goodbye"` ||
		!strings.Contains(failed.Got, `the agent said "Hi Ada`) || !strings.Contains(r.Reason, "Step 1") {
		t.Fatalf("failed step %+v, reason %q", failed, r.Reason)
	}
	if r.Steps[0].Status != store.StepPassed || r.Steps[2].Status != store.StepSkipped {
		t.Errorf("steps around the failure: %s, %s", r.Steps[0].Status, r.Steps[2].Status)
	}
	in.waitSessionEnded(t, r.SessionID)
}

func TestEachExpectationKind(t *testing.T) {
	tests := []struct {
		name      string
		workTypes []string
		yaml      string
		want      string // run status
		got       string // in the failed step's report
	}{
		{"session_failed with its status message", []string{"32"}, `
name: Unknown work type
workTypeId: "99"
contactName: Ada
steps:
  - expect: session_failed
`, store.RunPassed, ""},
		{"session_started when it fails", []string{"32"}, `
name: Unknown work type
workTypeId: "99"
contactName: Ada
steps:
  - expect: agent_joined
`, store.RunFailed, "the session failed to start"},
		{"equals", nil, `
name: Echo
workTypeId: "32"
contactName: Ada
steps:
  - say: "hello"
  - expect: agent_message
    equals: 'You said: "hello"'
`, store.RunPassed, ""},
		{"rerouted to an agent", nil, `
name: Transfer
workTypeId: "32"
contactName: Ada
steps:
  - expect: agent_joined
  - say: "#transfer"
  - expect: rerouted
`, store.RunPassed, ""},
		{"rerouted to the wrong work type", nil, `
name: Transfer
workTypeId: "32"
contactName: Ada
timeout: 1s
steps:
  - say: "#transfer worktype 45"
  - expect: rerouted
    workTypeId: "46"
`, store.RunFailed, `transferred to work type "45"`},
		{"the agent ends the session", nil, `
name: Agent ends
workTypeId: "32"
contactName: Ada
steps:
  - say: "#end"
  - expect: session_ended
`, store.RunPassed, ""},
		{"an answer after the session ended", nil, `
name: Agent ends
workTypeId: "32"
contactName: Ada
steps:
  - say: "#end"
  - expect: agent_message
    contains: "never"
`, store.RunFailed, "the session ended"},
		{"quiet agent", nil, `
name: Quiet
workTypeId: "32"
contactName: Ada
steps:
  - expect: agent_joined
  - expect: agent_message
    contains: "How can I help"
  - say: "#quiet"
  - expect: agent_message
    within: 300ms
`, store.RunFailed, "nothing arrived in 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInstance(t, sqliteDB(t), options{workTypes: tt.workTypes})
			r := in.runScenario(t, strings.TrimSpace(tt.yaml)+"\n")
			if r.Status != tt.want {
				t.Fatalf("run %s, want %s: %s\n%s", r.Status, tt.want, r.Reason, describe(r))
			}
			if tt.got != "" && !strings.Contains(r.Reason, tt.got) {
				t.Errorf("reason %q does not say %q", r.Reason, tt.got)
			}
		})
	}
}

// An invalid scenario queues nothing.
func TestAnInvalidScenarioIsNotQueued(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{})
	_, err := in.runs.StartRuns(t.Context(), runs.RunInput{Scenario: "name: x\nsteps: []\n", By: olive})
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("StartRuns = %v", err)
	}
	queued, _ := in.runs.ListRuns(t.Context(), runs.RunFilter{})
	if len(queued) != 0 {
		t.Fatalf("%d runs queued", len(queued))
	}
}

func describe(r runs.Run) string {
	var b strings.Builder
	for _, s := range r.Steps {
		b.WriteString(itoa(int64(s.Number)) + " " + s.Status + " " + s.Description)
		if s.Got != "" {
			b.WriteString(" — " + s.Got)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func itoa(n int64) string {
	return strings.TrimSpace(time.Duration(n).String()[:len(time.Duration(n).String())-2])
}

// Several instances on one Postgres share the runs: a run queued on one is
// played by another, whose wait is woken by callbacks that land on the
// first through Postgres LISTEN/NOTIFY.
func TestTwoInstancesOnOnePostgresShareRuns(t *testing.T) {
	db := postgresDB(t)
	front := newInstance(t, db, options{noWorkers: true})
	worker := newInstance(t, db, options{sim: front})

	started, err := front.runs.StartRuns(t.Context(), runs.RunInput{Scenario: `name: Shared
workTypeId: "32"
contactName: Ada
steps:
  - expect: agent_joined
  - say: "hello"
  - expect: agent_message
    contains: 'You said: "hello"'
`, Count: 3, By: olive})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range started {
		done := worker.waitRun(t, r.ID)
		if done.Status != store.RunPassed {
			t.Fatalf("run %d %s: %s\n%s", r.ID, done.Status, done.Reason, describe(done))
		}
	}
}

// A run whose process stopped is errored with the reason and its session
// ended: whether River hands its job out again, or the sweeper finds its
// heartbeat stopped.
func TestARunCutShortByAStopIsErrored(t *testing.T) {
	engines(t, func(t *testing.T, db func(*testing.T) database) {
		in := newInstance(t, db(t), options{staleOK: 200 * time.Millisecond})
		started, err := in.runs.StartRuns(t.Context(), runs.RunInput{Scenario: `name: Long
workTypeId: "32"
contactName: Ada
steps:
  - expect: agent_joined
  - wait: 1h
`, By: olive})
		if err != nil {
			t.Fatal(err)
		}
		id := started[0].ID
		testkit.Eventually(t, testkit.WaitTimeout, func() bool {
			r, _ := in.runs.GetRun(t.Context(), id)
			return len(r.Steps) > 2 && r.Steps[2].Status == store.StepRunning
		}, "the wait step running")
		// The instance dies: its jobs are cancelled without a word and its
		// heartbeat stops.
		stopCtx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		in.jobs.Stop(stopCtx)

		r := in.waitRun(t, id)
		if r.Status != store.RunErrored || !strings.Contains(r.Reason, "Parley stopped") {
			t.Fatalf("run %s: %q", r.Status, r.Reason)
		}
		if r.Steps[2].Status != store.StepSkipped && r.Steps[2].Status != store.StepFailed {
			t.Errorf("the interrupted step is %s", r.Steps[2].Status)
		}
		in.waitSessionEnded(t, r.SessionID)
	})
}

// A run River hands out again after its worker vanished (a crash between
// claim and finish) is errored, never played twice.
func TestARunClaimedBeforeIsNotPlayedTwice(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{noWorkers: true})
	r := store.Run{Name: "x", Scenario: "name: x\nworkTypeId: '1'\ncontactName: A\nsteps:\n  - wait: 1s\n", StartedBy: "olive", CreatedAt: time.Now()}
	if err := in.store.CreateRun(t.Context(), &r, nil); err != nil {
		t.Fatal(err)
	}
	if ok, err := in.store.ClaimRun(t.Context(), r.ID, time.Now()); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := in.runs.Execute(t.Context(), r.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := in.runs.GetRun(t.Context(), r.ID)
	if got.Status != store.RunErrored || !strings.Contains(got.Reason, "Parley stopped") {
		t.Fatalf("run %s %q", got.Status, got.Reason)
	}
}

// A running run whose heartbeat stopped (its process died) is errored by
// the sweep that one instance runs each minute.
func TestTheSweepErrorsRunsWhoseWorkerDied(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{noWorkers: true, staleOK: time.Minute})
	r := store.Run{Name: "x", Scenario: "name: x\n", StartedBy: "olive", CreatedAt: time.Now()}
	if err := in.store.CreateRun(t.Context(), &r, []store.RunStep{{Number: 0, Description: "expect session_started"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.store.ClaimRun(t.Context(), r.ID, time.Now().Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	fresh := store.Run{Name: "y", Scenario: "name: y\n", StartedBy: "olive", CreatedAt: time.Now()}
	if err := in.store.CreateRun(t.Context(), &fresh, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := in.store.ClaimRun(t.Context(), fresh.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := in.runs.SweepStale(t.Context()); err != nil {
		t.Fatal(err)
	}
	dead, _ := in.runs.GetRun(t.Context(), r.ID)
	if dead.Status != store.RunErrored || !strings.Contains(dead.Reason, "Parley stopped") || dead.Steps[0].Status != store.StepSkipped {
		t.Fatalf("stale run %s %q, step %s", dead.Status, dead.Reason, dead.Steps[0].Status)
	}
	alive, _ := in.runs.GetRun(t.Context(), fresh.ID)
	if alive.Status != store.RunRunning {
		t.Fatalf("a run with a live heartbeat was %s", alive.Status)
	}
}

// At the start of the only instance on a SQLite file, a run still marked
// running lost its worker when Parley last stopped (a kill, a crash).
func TestRunsCutShortByACrashAreErroredAtStart(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{noWorkers: true})
	r := store.Run{Name: "x", Scenario: "name: x\n", StartedBy: "olive", CreatedAt: time.Now()}
	if err := in.store.CreateRun(t.Context(), &r, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := in.store.ClaimRun(t.Context(), r.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := in.runs.AbandonRunning(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("AbandonRunning = %d, %v", n, err)
	}
	got, _ := in.runs.GetRun(t.Context(), r.ID)
	if got.Status != store.RunErrored || !strings.Contains(got.Reason, "Parley stopped") {
		t.Fatalf("run %s %q", got.Status, got.Reason)
	}
}

// waitSessionEnded waits for a run's session to be ended: Parley asks
// Alvaria to end it, and the state follows with SESSION_END.
func (in *instance) waitSessionEnded(t *testing.T, sessionID string) {
	t.Helper()
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		sess, err := in.store.GetSession(t.Context(), sessionID)
		return err == nil && sess.State == store.SessionEnded
	}, "the run's session ended")
}

// A NUL in a scenario (the YAML parser lets one through in a comment) or in
// a test's name is refused as invalid, not answered 500 by Postgres.
func TestATestWithANULIsInvalidNotAServerError(t *testing.T) {
	engines(t, func(t *testing.T, db func(*testing.T) database) {
		in := newInstance(t, db(t), options{noWorkers: true})
		ok := "name: x\nworkTypeId: \"1\"\ncontactName: y\nsteps:\n  - say: hi\n"
		var invalid *scenario.Error
		if _, err := in.runs.SaveTest(t.Context(), runs.TestInput{Scenario: "# \x00\n" + ok, By: olive}); !errors.As(err, &invalid) || !strings.Contains(err.Error(), "line 1, column 3: the scenario contains a NUL character") {
			t.Errorf("NUL in a comment: %v", err)
		}
		if _, err := in.runs.StartRuns(t.Context(), runs.RunInput{Scenario: ok + "# \x00\n", By: olive}); !errors.As(err, &invalid) {
			t.Errorf("NUL in a comment, run: %v", err)
		}
		if _, err := in.runs.SaveTest(t.Context(), runs.TestInput{Name: "a\x00b", Scenario: ok, By: olive}); !errors.As(err, &invalid) {
			t.Errorf("NUL in the name: %v", err)
		}
		if _, err := in.runs.SaveTest(t.Context(), runs.TestInput{Name: "a\xffb", Scenario: ok, By: olive}); !errors.As(err, &invalid) {
			t.Errorf("bad UTF-8 in the name: %v", err)
		}
	})
}

// One person's runs take at most MaxRunningPerPerson workers: another run
// of theirs stays queued (its job waits and tries again) until one of the
// running ones ends, so others' runs are not stuck behind hours of theirs.
func TestOnePersonsRunsDoNotTakeEveryWorker(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{noWorkers: true, running: 1})
	ctx := t.Context()
	yaml := "name: Quick\nworkTypeId: \"32\"\ncontactName: \"Fair {{run}}\"\nsteps:\n  - expect: agent_joined\n"
	started, err := in.runs.StartRuns(ctx, runs.RunInput{Scenario: yaml, Count: 2, By: olive})
	if err != nil {
		t.Fatal(err)
	}
	first, second := started[0].ID, started[1].ID
	if ok, err := in.store.ClaimRun(ctx, first, time.Now()); !ok || err != nil {
		t.Fatalf("claim the first run: %v %v", ok, err)
	}

	if err := in.runs.Execute(ctx, second); !errors.Is(err, runs.ErrStarterBusy) {
		t.Fatalf("olive's second run while her first runs: %v, want ErrStarterBusy", err)
	}
	if r, _ := in.runs.GetRun(ctx, second); r.Status != runs.StatusQueued {
		t.Fatalf("the waiting run is %s, want queued", r.Status)
	}
	// Someone else's run is not held back by olive's.
	other, err := in.runs.StartRuns(ctx, runs.RunInput{Scenario: yaml, By: accounts.Actor{Username: "oscar"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.runs.Execute(ctx, other[0].ID); err != nil {
		t.Fatalf("oscar's run: %v", err)
	}
	if r, _ := in.runs.GetRun(ctx, other[0].ID); r.Status != runs.StatusPassed {
		t.Fatalf("oscar's run %s: %s", r.Status, r.Reason)
	}

	if _, err := in.store.FinishRun(ctx, first, store.RunPassed, "", nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := in.runs.Execute(ctx, second); err != nil {
		t.Fatalf("olive's second run once her first ended: %v", err)
	}
	if r, _ := in.runs.GetRun(ctx, second); r.Status != runs.StatusPassed {
		t.Fatalf("olive's second run %s: %s\n%s", r.Status, r.Reason, describe(r))
	}
}

// Alvaria's callbacks may arrive out of order: a greeting before its
// AGENT_JOINED. An expectation that passes over a callback leaves it for
// the next one, so the script still passes.
func TestCallbacksOutOfOrderStillMeetTheirExpectations(t *testing.T) {
	in := newInstance(t, sqliteDB(t), options{reorder: 1})
	r := in.runScenario(t, `name: Reordered
workTypeId: "32"
contactName: Ada
timeout: 5s
steps:
  - expect: agent_joined
  - expect: agent_message
    contains: "How can I help"
  - say: "hello"
  - expect: agent_message
    contains: 'You said: "hello"'
`)
	if r.Status != store.RunPassed {
		t.Fatalf("run %s: %s\n%s", r.Status, r.Reason, describe(r))
	}
}
