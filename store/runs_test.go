package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// One person's queued and running runs are bounded over all their
// requests, parallel ones too, and another person's runs do not count.
func TestCreateRunsKeepsOnePersonUnderTheLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		steps := []store.RunStep{{Number: 0, Description: "expect session_started"}, {Number: 1, Line: 4, Description: "say \"hi\""}}
		const limit, each, tries = 10, 3, 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		created, refused := 0, 0
		for range tries {
			wg.Go(func() {
				rs, err := st.CreateRuns(ctx, store.Run{Name: "x", Scenario: "y", StartedBy: "olive"}, steps, each, limit)
				var tooMany *store.TooManyActiveError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.As(err, &tooMany):
					refused++
				case err != nil:
					t.Error(err)
				default:
					created += len(rs)
				}
			})
		}
		wg.Wait()
		if created != 9 || refused != tries-3 {
			t.Fatalf("created %d runs and refused %d requests; want 9 and %d", created, refused, tries-3)
		}
		all, err := st.ListRuns(ctx, store.RunFilter{Limit: 100})
		if err != nil || len(all) != 9 {
			t.Fatalf("%d runs stored, %v", len(all), err)
		}
		for _, r := range all {
			got, err := st.ListRunSteps(ctx, r.ID)
			if err != nil || len(got) != 2 || got[1].RunID != r.ID || got[1].Status != store.StepPending {
				t.Fatalf("steps of run %d: %+v %v", r.ID, got, err)
			}
		}

		// A finished run no longer counts; another person has their own limit.
		if _, err := st.FinishRun(ctx, all[0].ID, store.RunPassed, "", nil, all[0].CreatedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateRuns(ctx, store.Run{Name: "x", StartedBy: "olive"}, nil, 1, limit); err != nil {
			t.Fatalf("olive with 8 active: %v", err)
		}
		var tooMany *store.TooManyActiveError
		if _, err := st.CreateRuns(ctx, store.Run{Name: "x", StartedBy: "olive"}, nil, 2, limit); !errors.As(err, &tooMany) || tooMany.Active != 9 || tooMany.Max != limit {
			t.Fatalf("olive with 9 active asking for 2: %v", err)
		}
		if _, err := st.CreateRuns(ctx, store.Run{Name: "x", StartedBy: "quinn"}, nil, limit, limit); err != nil {
			t.Fatalf("quinn: %v", err)
		}
	})
}

// Of one person's queued runs, at most maxRunning are claimed at once, even
// by workers claiming in parallel; another person's are claimed regardless.
func TestClaimRunUnderKeepsOnePersonToTheirShare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		olive, err := st.CreateRuns(ctx, store.Run{Name: "x", StartedBy: "olive"}, nil, 8, 100)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		claimed, busy := 0, 0
		for _, r := range olive {
			wg.Go(func() {
				ok, err := st.ClaimRunUnder(ctx, r.ID, time.Now(), 3)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, store.ErrStarterBusy):
					busy++
				case err != nil:
					t.Error(err)
				case ok:
					claimed++
				}
			})
		}
		wg.Wait()
		if claimed != 3 || busy != 5 {
			t.Fatalf("claimed %d and found busy %d; want 3 and 5", claimed, busy)
		}
		quinn, err := st.CreateRuns(ctx, store.Run{Name: "x", StartedBy: "quinn"}, nil, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := st.ClaimRunUnder(ctx, quinn[0].ID, time.Now(), 3); !ok || err != nil {
			t.Fatalf("quinn's run: %v %v", ok, err)
		}
		// A run claimed already is not claimed again, limit or not.
		if ok, err := st.ClaimRunUnder(ctx, quinn[0].ID, time.Now(), 3); ok || err != nil {
			t.Fatalf("quinn's run again: %v %v", ok, err)
		}
		if ok, err := st.ClaimRunUnder(ctx, 1_000_000, time.Now(), 3); ok || err != nil {
			t.Fatalf("no such run: %v %v", ok, err)
		}
	})
}
