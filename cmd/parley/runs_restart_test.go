package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/store"
)

// What a stop left behind is settled when Parley starts again: a run that
// was queued is played, one that was running (its worker gone with the
// process) is errored with the reason.
func TestServeSettlesRunsLeftByTheLastStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	dbURL := "sqlite://" + path
	if err := run(t.Context(), []string{"migrate", "--database-url", dbURL}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	queued := store.Run{Name: "Left queued", Scenario: "name: Left queued\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - expect: agent_joined\n", StartedBy: "admin", CreatedAt: time.Now()}
	cut := store.Run{Name: "Cut short", Scenario: "name: Cut short\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - wait: 1h\n", StartedBy: "admin", CreatedAt: time.Now()}
	for _, r := range []*store.Run{&queued, &cut} {
		if err := st.CreateRun(t.Context(), r, []store.RunStep{{Number: 0, Description: "expect session_started (implied)"}, {Number: 1, Line: 5, Description: "step"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ClaimRun(t.Context(), cut.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	startConsole(t, map[string]string{"PARLEY_DATABASE_URL": dbURL})

	testkit.Eventually(t, 30*time.Second, func() bool {
		r, err := st.GetRun(t.Context(), queued.ID)
		return err == nil && r.Status == store.RunPassed
	}, "the queued run played and passed")
	r, err := st.GetRun(t.Context(), cut.ID)
	if err != nil || r.Status != store.RunErrored || r.Reason == "" {
		t.Fatalf("the run cut short is %s (%q), %v", r.Status, r.Reason, err)
	}
}
