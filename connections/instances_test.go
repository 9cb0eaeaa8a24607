package connections_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// Two instances on one Postgres: a connection added or disabled on one is
// used, or refused, on the other at once.
func TestChangesReachEveryInstance(t *testing.T) {
	url := storetest.PostgresURL(t)
	box := newBox(t)
	instance := func() *connections.Service {
		st, err := store.Open(t.Context(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		broker, err := live.NewPGBroker(t.Context(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(broker.Close)
		testkit.Eventually(t, testkit.WaitTimeout, broker.Listening, "the broker listens")
		svc, err := connections.New(t.Context(), connections.Config{Store: st, Box: box, Live: broker})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go svc.Watch(ctx)
		return svc
	}
	a, b := instance(), instance()
	sim := simtest.Start(t, simulator.Config{})
	c, err := a.Create(t.Context(), simInput(sim, "Shared", pemOf(t, keys()[0])))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		_, err := b.Route(t.Context(), c.Slug)
		return err == nil
	}, "the other instance to use the new connection")
	if err := a.SetDisabled(t.Context(), c.Slug, true, accounts.Actor{Username: "root"}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		_, err := b.Route(t.Context(), c.Slug)
		return err != nil && strings.Contains(err.Error(), "disabled")
	}, "the other instance to refuse the disabled connection")
}
