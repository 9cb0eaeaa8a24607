package store_test

import (
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestEventIDIsStoredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		for i := range 3 {
			ev := store.CallbackEvent{EventID: "evt-1", Type: "NEW_SESSION", AlvariaSessionID: "alv-1", Payload: `{"n":1}`, Verified: true}
			inserted, err := st.InsertEvent(ctx, &ev)
			if err != nil {
				t.Fatal(err)
			}
			if inserted != (i == 0) {
				t.Fatalf("attempt %d inserted=%v", i, inserted)
			}
		}
		if n, err := st.CountEvents(ctx); err != nil || n != 1 {
			t.Fatalf("events = %d, %v", n, err)
		}
	})
}

func TestEventsWaitForTheirSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		for _, id := range []string{"e-1", "e-2"} {
			ev := store.CallbackEvent{EventID: id, Type: "MESSAGE", AlvariaSessionID: "alv-Ada", Payload: "{}"}
			if _, err := st.InsertEvent(ctx, &ev); err != nil {
				t.Fatal(err)
			}
		}
		waiting, err := st.ListUnappliedEvents(ctx, "alv-Ada")
		if err != nil || len(waiting) != 2 || waiting[0].EventID != "e-1" {
			t.Fatalf("waiting = %+v, %v", waiting, err)
		}
		s := newSession(t, st, "Ada", t0)
		if err := st.LinkEvents(ctx, s.ID, []int64{waiting[0].ID}, nil); err != nil {
			t.Fatal(err)
		}
		if err := st.LinkEvents(ctx, s.ID, nil, []int64{waiting[1].ID}); err != nil {
			t.Fatal(err)
		}
		still, _ := st.ListUnappliedEvents(ctx, "alv-Ada")
		if len(still) != 1 || still[0].EventID != "e-2" || still[0].SessionID == nil || *still[0].SessionID != s.ID {
			t.Fatalf("still waiting = %+v", still)
		}
		linked, err := st.ListEventsSince(ctx, s.ID, 0)
		if err != nil || len(linked) != 2 {
			t.Fatalf("linked = %d, %v", len(linked), err)
		}
		got, _ := st.GetEvent(ctx, "e-1")
		if got.AppliedAt == nil {
			t.Fatal("applied event has no applied time")
		}
	})
}
