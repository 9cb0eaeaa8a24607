package handlers

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
)

// A live connection carries on after its request's handler returns (that
// frees the request's memory), still sends every change, and still closes
// when the server's live lifetime ends, releasing its subscription.
func TestLiveConnectionOutlivesItsHandlerAndEndsWithTheServer(t *testing.T) {
	gin.SetMode(gin.TestMode)
	hub := live.NewHub()
	handlerDone := make(chan struct{}, 1)
	r := gin.New()
	r.GET("/live", func(c *gin.Context) {
		streamTopic(c, hub, "topic", nil, slog.New(slog.DiscardHandler), func(_ context.Context, seq int64, keys []string, all bool) (liveUpdate, error) {
			html := "first"
			if !all {
				html = strings.Join(keys, ",")
			}
			return liveUpdate{Seq: seq + 1, Items: []item{{ID: "x", HTML: html}}}, nil
		})
		handlerDone <- struct{}{}
	})
	lifetime, stop := context.WithCancel(context.Background())
	defer stop()
	srv := httptest.NewUnstartedServer(r)
	srv.Config.BaseContext = func(net.Listener) context.Context { return WithLiveLifetime(lifetime) }
	srv.Start()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), testkit.WaitTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), "first") {
		t.Fatalf("first update = %s, %v", data, err)
	}
	select {
	case <-handlerDone:
	case <-ctx.Done():
		t.Fatal("the handler is still running after the first update")
	}

	if err := hub.Publish(ctx, "topic", "changed-key"); err != nil {
		t.Fatal(err)
	}
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), "changed-key") {
		t.Fatalf("update after the handler returned = %s, %v", data, err)
	}

	stop()
	// Closed, as before the connection outlived its handler: with a close
	// frame if it wins the race with the reader, or the connection shut.
	if _, data, err := conn.Read(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("after the server's live lifetime ended: read = %s, %v; want the connection closed", data, err)
	}
	testkit.Eventually(t, testkit.WaitTimeout, func() bool { return hub.Subscribers("topic") == 0 }, "the subscription to be released")
}

// Pages that do not stream past the first update still release their
// subscription when the browser goes.
func TestLiveConnectionReleasesItsSubscriptionWhenTheBrowserLeaves(t *testing.T) {
	gin.SetMode(gin.TestMode)
	hub := live.NewHub()
	r := gin.New()
	r.GET("/live", func(c *gin.Context) {
		streamTopic(c, hub, "topic", nil, slog.New(slog.DiscardHandler), func(_ context.Context, seq int64, _ []string, _ bool) (liveUpdate, error) {
			return liveUpdate{Seq: seq + 1}, nil
		})
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), testkit.WaitTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := conn.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if n := hub.Subscribers("topic"); n != 1 {
		t.Fatalf("%d subscribers while open, want 1", n)
	}
	conn.Close(websocket.StatusNormalClosure, "")
	testkit.Eventually(t, testkit.WaitTimeout, func() bool { return hub.Subscribers("topic") == 0 }, "the subscription to be released")
}
