package store_test

import (
	"errors"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestConnectionsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		c := store.Connection{Slug: "eu-prod", Name: "EU prod", Region: "eu1", APIURL: "https://acme.via.aspect-cloud.net", TokenURL: "https://t", OrgID: "acme", ClientID: "cid", ClientSecretSealed: "v1:x", CallbackKeys: "PEM"}
		if err := st.CreateConnection(ctx, &c); err != nil {
			t.Fatal(err)
		}
		dup := c
		dup.ID, dup.Slug = 0, "other"
		dup.Name = "eu PROD"
		if err := st.CreateConnection(ctx, &dup); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second connection with the same name (any case): %v", err)
		}
		c.Name, c.Disabled = "EU production", true
		if err := st.UpdateConnection(ctx, &c); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetConnection(ctx, "eu-prod")
		if err != nil || got.Name != "EU production" || !got.Disabled || got.ClientSecretSealed != "v1:x" || got.APIURL != c.APIURL {
			t.Fatalf("got %+v, %v", got, err)
		}
		if _, err := st.GetConnection(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing connection: %v", err)
		}
		list, err := st.ListConnections(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v, %v", list, err)
		}

		s := store.Session{AlvariaSessionID: "alv-1", ConnectionSlug: "eu-prod", Connection: "EU production", State: store.SessionPending}
		if err := st.CreateSession(ctx, &s); err != nil {
			t.Fatal(err)
		}
		other := store.Session{AlvariaSessionID: "alv-2", ConnectionSlug: "simulator", Connection: "Simulator (built in)", State: store.SessionPending}
		if err := st.CreateSession(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if slug, err := st.SessionConnection(ctx, "alv-1"); err != nil || slug != "eu-prod" {
			t.Fatalf("session connection %q, %v", slug, err)
		}
		if _, err := st.SessionConnection(ctx, "alv-none"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown session: %v", err)
		}
		page, err := st.ListSessions(ctx, store.SessionFilter{Connection: "eu-prod"})
		if err != nil || len(page.Sessions) != 1 || page.Sessions[0].ID != s.ID {
			t.Fatalf("filtered by connection: %+v, %v", page.Sessions, err)
		}
	})
}
