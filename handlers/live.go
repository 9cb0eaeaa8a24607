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

	conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{OriginPatterns: h.OriginPatterns})
	if err != nil {
		h.Log.Warn("websocket refused", "err", err, "origin", c.GetHeader("Origin"))
		return
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(c.Request.Context())

	send := func(keys []string, all bool) error {
		up, err := next(ctx, seq, keys, all)
		if err != nil {
			return err
		}
		if len(up.Items) == 0 && up.Seq == seq {
			return nil
		}
		b, err := json.Marshal(up)
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
		defer cancel()
		if err := conn.Write(wctx, websocket.MessageText, b); err != nil {
			return err
		}
		seq = up.Seq
		return nil
	}

	pump(ctx, conn, h.Log, sub.Ready(), func(first bool) error {
		if first {
			return send(nil, true)
		}
		return send(sub.Take())
	})
}

// pump keeps one browser's websocket fed: a send at once, another after
// every notice, and pings while idle. It returns when the browser leaves,
// or drops it when a write fails or takes too long, so a slow browser
// never holds anyone else up.
func pump(ctx context.Context, conn *websocket.Conn, log *slog.Logger, notices <-chan struct{}, send func(first bool) error) {
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
