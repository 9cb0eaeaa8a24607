package store_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		entries := []store.AuditEntry{
			{At: t0, Actor: "ada", Action: "session.start", Target: "s-1"},
			{At: t0.Add(time.Hour), Actor: "ada", Action: "message.send", Target: "s-1"},
			{At: t0.Add(2 * time.Hour), Actor: "grace", Action: "session.start", Target: "s-2", ClientAddr: "10.0.0.1"},
		}
		for i := range entries {
			if err := st.AddAudit(ctx, &entries[i]); err != nil {
				t.Fatal(err)
			}
		}
		all, err := st.ListAudit(ctx, store.AuditFilter{})
		if err != nil || len(all) != 3 || all[0].Actor != "grace" || all[0].ClientAddr != "10.0.0.1" {
			t.Fatalf("all = %+v, %v", all, err)
		}
		byActor, _ := st.ListAudit(ctx, store.AuditFilter{Actor: "ada"})
		byAction, _ := st.ListAudit(ctx, store.AuditFilter{Action: "session.start"})
		byTime, _ := st.ListAudit(ctx, store.AuditFilter{From: t0.Add(time.Hour), To: t0.Add(2 * time.Hour)})
		older, _ := st.ListAudit(ctx, store.AuditFilter{BeforeID: all[0].ID, Limit: 1})
		if len(byActor) != 2 || len(byAction) != 2 || len(byTime) != 1 || len(older) != 1 || older[0].ID != all[1].ID {
			t.Fatalf("filters: actor %d action %d time %d older %+v", len(byActor), len(byAction), len(byTime), older)
		}
	})
}

// An audit entry keeps what a stranger sent even when a text column cannot
// hold it as sent: Postgres refuses NUL and bad UTF-8 outright.
func TestAuditKeepsUnstorableText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		e := store.AuditEntry{Actor: "ol\x00ive", ClientAddr: "1.2.3.4", Action: "token-use", Target: "ci\xff (token 1)", Detail: "GET /api/v1/runs/\x00\xfe"}
		if err := st.AddAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
		got, err := st.ListAudit(ctx, store.AuditFilter{Limit: -1})
		if err != nil || len(got) != 1 {
			t.Fatalf("%d entries, %v", len(got), err)
		}
		if got[0].Actor != "ol\uFFFDive" || got[0].Target != "ci\uFFFD (token 1)" || got[0].Detail != "GET /api/v1/runs/\uFFFD\uFFFD" {
			t.Errorf("entry = %+v", got[0])
		}
	})
}
