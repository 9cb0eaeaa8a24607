package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
)

const (
	// liveWriteTimeout is how long one browser may take to read an update
	// before it is dropped; it never holds up anyone else.
	liveWriteTimeout = 5 * time.Second
	// livePingInterval keeps idle connections open through proxies.
	livePingInterval = 25 * time.Second
)

// liveUpdate is one message on the websocket: HTML to place, and the cursor
// to resume from after a drop.
type liveUpdate struct {
	Seq   int64  `json:"seq"`
	Items []item `json:"items,omitempty"`
}

// catchUp renders what changed after seq; keys are the notices received
// since the last call (nil on the first), all means "assume everything".
type catchUp func(ctx context.Context, seq int64, keys []string, all bool) (liveUpdate, error)

// stream upgrades to a websocket, sends what changed after the client's
// cursor, then sends each change as notices arrive on topic.
func (h *handler) stream(c *gin.Context, topic string, next catchUp) {
	seq, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	// Subscribe before the first read so nothing can fall between the two.
	sub := h.Live.Subscribe(topic)
	defer sub.Close()
	pump(c, h.OriginPatterns, h.Log, sub.Ready(), func(ctx context.Context, first bool) (liveUpdate, bool, error) {
		keys, all := []string(nil), true
		if !first {
			keys, all = sub.Take()
		}
		up, err := next(ctx, seq, keys, all)
		if err != nil || (len(up.Items) == 0 && up.Seq == seq) {
			return up, false, err
		}
		// A failed write drops the connection, so the page asks again
		// from the seq it has.
		seq = up.Seq
		return up, true, nil
	})
}

// pump upgrades the request to a websocket and keeps one browser fed:
// next renders an update at once (first) and after every notice, and says
// whether there is anything to send; pings keep it open while idle. It
// returns when the browser leaves, and drops it when a write fails or
// takes too long, so a slow browser never holds anyone else up.
func pump(c *gin.Context, origins []string, log *slog.Logger, notices <-chan struct{}, next func(ctx context.Context, first bool) (liveUpdate, bool, error)) {
	conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{OriginPatterns: origins})
	if err != nil {
		log.Warn("websocket refused", "err", err, "origin", c.GetHeader("Origin"))
		return
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(c.Request.Context())
	send := func(first bool) error {
		up, ok, err := next(ctx, first)
		if err != nil || !ok {
			return err
		}
		b, err := json.Marshal(up)
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
		defer cancel()
		return conn.Write(wctx, websocket.MessageText, b)
	}
	drop := func(err error) {
		log.Info("live connection dropped", "err", err)
		conn.Close(websocket.StatusGoingAway, "too slow or gone")
	}
	if err := send(true); err != nil {
		drop(err)
		return
	}
	ping := time.NewTicker(livePingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case <-notices:
			if err := send(false); err != nil {
				drop(err)
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				drop(err)
				return
			}
		}
	}
}
