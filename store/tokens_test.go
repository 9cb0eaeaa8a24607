package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		ada := store.User{Username: "ada", PasswordHash: "h", Role: "operator"}
		bob := store.User{Username: "bob", PasswordHash: "h", Role: "qa"}
		for _, u := range []*store.User{&ada, &bob} {
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		ci := store.APIToken{UserID: ada.ID, Name: "ci", TokenHash: "hash-ci"}
		laptop := store.APIToken{UserID: ada.ID, Name: "laptop", TokenHash: "hash-laptop"}
		for _, tok := range []*store.APIToken{&ci, &laptop} {
			if err := st.CreateAPIToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CreateAPIToken(ctx, &store.APIToken{UserID: bob.ID, Name: "dup", TokenHash: "hash-ci"}); err == nil {
			t.Fatal("two tokens with one hash")
		}

		got, u, err := st.GetAPIToken(ctx, "hash-ci")
		if err != nil || got.ID != ci.ID || got.Name != "ci" || u.Username != "ada" || got.LastUsedAt != nil || got.RevokedAt != nil {
			t.Fatalf("get = %+v %+v %v", got, u, err)
		}
		if _, _, err := st.GetAPIToken(ctx, "no such hash"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
		list, err := st.ListAPITokens(ctx, ada.ID)
		if err != nil || len(list) != 2 || list[0].Name != "laptop" || list[1].Name != "ci" {
			t.Fatalf("list = %+v, %v", list, err)
		}

		// Use is recorded at most once a minute.
		t0 := time.Now().UTC().Truncate(time.Microsecond)
		for _, at := range []time.Time{t0, t0.Add(30 * time.Second)} {
			if err := st.TouchAPIToken(ctx, ci.ID, at); err != nil {
				t.Fatal(err)
			}
		}
		got, _, _ = st.GetAPIToken(ctx, "hash-ci")
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(t0) {
			t.Fatalf("last used = %v, want %v (the second use was within the minute)", got.LastUsedAt, t0)
		}
		later := t0.Add(2 * time.Minute)
		if err := st.TouchAPIToken(ctx, ci.ID, later); err != nil {
			t.Fatal(err)
		}
		got, _, _ = st.GetAPIToken(ctx, "hash-ci")
		if !got.LastUsedAt.Equal(later) {
			t.Fatalf("last used = %v, want %v", got.LastUsedAt, later)
		}

		// Only the owner revokes, and only once.
		if _, err := st.RevokeAPIToken(ctx, bob.ID, ci.ID, later); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("bob revoked ada's token: %v", err)
		}
		rev, err := st.RevokeAPIToken(ctx, ada.ID, ci.ID, later)
		if err != nil || rev.Name != "ci" || rev.RevokedAt == nil {
			t.Fatalf("revoke = %+v, %v", rev, err)
		}
		if _, err := st.RevokeAPIToken(ctx, ada.ID, ci.ID, later); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second revoke: %v", err)
		}
		got, _, _ = st.GetAPIToken(ctx, "hash-ci")
		if got.RevokedAt == nil || !got.RevokedAt.Equal(later) {
			t.Fatalf("revoked at = %v", got.RevokedAt)
		}
	})
}
