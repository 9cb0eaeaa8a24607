package conversation

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// What a crash between the inbox's store and its apply leaves behind is
// found and applied by ApplyStoredCallbacks, in arrival order, once; a
// status waiting for its message and a callback of a session Parley does
// not know are left alone.
func TestApplyStoredCallbacksAppliesWhatACrashLeft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		crashed := New(Config{Store: st, IngestBacklog: 100})
		s := store.Session{AlvariaSessionID: "alv-crash", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
		if err := st.CreateSession(t.Context(), &s); err != nil {
			t.Fatal(err)
		}
		// A status for a message not yet known is applied, linked, and waits.
		waiting := pending(t.Context(), "st-1", "alv-crash", `{"eventId":"st-1","event":"MESSAGE_STATUS","sessionId":"alv-crash","messageId":"m-9","status":"FAILED"}`)
		crashed.commitCallbacks([]*pendingCallback{waiting})
		if err := <-waiting.done; err != nil {
			t.Fatal(err)
		}
		// Stored by the inbox, then the process died before applying.
		var batch []*pendingCallback
		for i := range 3 {
			id := fmt.Sprintf("crash-%d", i)
			batch = append(batch, pending(t.Context(), id, "alv-crash", fmt.Sprintf(`{"eventId":%q,"event":"MESSAGE","sessionId":"alv-crash","senderId":"Lucia","message":{"text":"m%d"}}`, id, i)))
		}
		batch = append(batch, pending(t.Context(), "orphan-1", "alv-nobody", `{"eventId":"orphan-1","event":"MESSAGE","sessionId":"alv-nobody","senderId":"Lucia","message":{"text":"?"}}`))
		if _, err := crashed.storeBatch(batch); err != nil {
			t.Fatal(err)
		}

		restarted := New(Config{Store: st, IngestBacklog: 100})
		n, err := restarted.ApplyStoredCallbacks(t.Context(), time.Now().Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("applied the callbacks of %d sessions (%v), want 1", n, err)
		}
		ms, err := st.ListMessages(t.Context(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range ms {
			texts = append(texts, m.Text)
		}
		if want := []string{"m0", "m1", "m2"}; !slices.Equal(texts, want) {
			t.Fatalf("transcript %q, want %q", texts, want)
		}
		if n, err := restarted.ApplyStoredCallbacks(t.Context(), time.Now().Add(time.Minute)); err != nil || n != 0 {
			t.Fatalf("a second sweep applied %d (%v), want none", n, err)
		}
		if ev, err := st.GetEvent(t.Context(), "st-1"); err != nil || ev.AppliedAt != nil {
			t.Fatalf("the waiting status: applied=%v (%v), want still waiting", ev.AppliedAt != nil, err)
		}
		if ev, err := st.GetEvent(t.Context(), "orphan-1"); err != nil || ev.AppliedAt != nil || ev.SessionID != nil {
			t.Fatalf("the orphan: %+v (%v), want stored and untouched", ev, err)
		}
	})
}

// A sweep looks only at callbacks stored before the time it is given, so
// that it does not race an applier at work on what just arrived.
func TestApplyStoredCallbacksLeavesNewerOnes(t *testing.T) {
	st := storetest.SQLite(t)
	svc := New(Config{Store: st, IngestBacklog: 100})
	s := store.Session{AlvariaSessionID: "alv-new", WorkTypeID: "32", ContactName: "Ada", State: store.SessionActive}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	p := pending(t.Context(), "new-1", "alv-new", `{"eventId":"new-1","event":"MESSAGE","sessionId":"alv-new","senderId":"Lucia","message":{"text":"hi"}}`)
	if _, err := svc.storeBatch([]*pendingCallback{p}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.ApplyStoredCallbacks(t.Context(), time.Now().Add(-time.Minute)); err != nil || n != 0 {
		t.Fatalf("applied %d (%v), want none: the callback is newer than the sweep's bound", n, err)
	}
}

// When the backlog is full, the next batch waits in the queue until the
// applier has applied some: a flood is answered at the speed of applying.
func TestAFullBacklogHoldsTheNextBatchForTheApplier(t *testing.T) {
	var mu sync.Mutex
	var log []string
	note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	logged := func(n int) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return len(log) >= n }
	}
	release := make(chan struct{})
	work := ingestWork{
		store: func(batch []*pendingCallback) stored {
			fresh := stored{counts: map[string]int{}}
			for _, p := range batch {
				note("store " + p.ev.EventID)
				fresh.order = append(fresh.order, p.ev.AlvariaSessionID)
				fresh.counts[p.ev.AlvariaSessionID]++
				p.done <- nil
			}
			return fresh
		},
		apply: func(ids []string) {
			note(fmt.Sprintf("apply %v", ids))
			<-release
			note(fmt.Sprintf("applied %v", ids))
		},
	}
	in := newIngest(store.DialectSQLite, 3, work)
	sh := in.shards[0]
	sh.inboxFrom = 1 // every batch through the inbox, however small
	submit := func(id string) {
		if err := in.submit(pending(t.Context(), id, "alv-"+id, "{}")); err != nil {
			t.Error(err)
		}
	}
	submit("a") // stored; the applier takes it and waits for release
	waitFor(t, logged(2))
	submit("b")
	submit("c") // three stored and unapplied: full
	done := make(chan struct{})
	go func() { submit("d"); close(done) }()
	// d stays queued, not stored, while the backlog is full.
	waitFor(t, func() bool { sh.mu.Lock(); defer sh.mu.Unlock(); return len(sh.queue) == 1 })
	release <- struct{}{} // a applied: room for d
	<-done
	release <- struct{}{} // b and c
	waitFor(t, logged(8))
	release <- struct{}{} // d
	waitFor(t, logged(10))

	mu.Lock()
	defer mu.Unlock()
	want := []string{"store a", "apply [alv-a]", "store b", "store c", "applied [alv-a]"}
	if !slices.Equal(log[:len(want)], want) {
		t.Fatalf("order %q, want it to start %q", log, want)
	}
	if !slices.Contains(log, "store d") {
		t.Fatalf("d never stored: %q", log)
	}
}

func pending(ctx context.Context, eventID, alvariaID, payload string) *pendingCallback {
	return &pendingCallback{ctx: ctx, done: make(chan error, 1), ev: store.CallbackEvent{
		EventID: eventID, Type: "MESSAGE", AlvariaSessionID: alvariaID, Verified: true, Payload: payload,
	}}
}

// waitFor waits until cond holds, for at most ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
	}
}
