package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/live"
)

const (
	// liveWriteTimeout is how long one browser may take to read an update
	// before it is dropped; it never holds up anyone else.
	liveWriteTimeout = 5 * time.Second
	// livePingInterval keeps idle connections open through proxies, and is
	// how often a connection checks its sign-in even without a revocation.
	livePingInterval = 25 * time.Second
	signInWatchKey   = "parley.signInWatch"
)

// signInWatch lets a websocket close as soon as the sign-in it was opened
// with ends or changes, on this instance or another.
type signInWatch struct {
	user string // the user's id, as revocations name it
	// subscribe, when not nil, receives the ids of users whose sign-ins
	// were revoked (live.TopicSignIns).
	subscribe func() *live.Subscription
	// valid reports whether the sign-in still holds, with the same role.
	valid func(ctx context.Context) bool
}

// watchSignIn prepares the websocket this request opens to close when its
// sign-in ends: signed out, disabled, password reset or role changed.
func (h *handler) watchSignIn(c *gin.Context) {
	p, token := principal(c), c.GetString(tokenKey)
	if p.Anonymous() {
		c.Next()
		return
	}
	w := &signInWatch{
		user: strconv.FormatInt(p.ID, 10),
		valid: func(ctx context.Context) bool {
			now, err := h.Accounts.StillSignedIn(ctx, token)
			if err != nil && !errors.Is(err, accounts.ErrSignedOut) {
				// A database hiccup is not a sign-out; the next check decides.
				h.Log.Warn("check a live connection's sign-in", "err", err)
				return true
			}
			return err == nil && now.ID == p.ID && now.Role == p.Role
		},
	}
	if h.Live != nil {
		w.subscribe = func() *live.Subscription { return h.Live.Subscribe(live.TopicSignIns) }
	}
	c.Set(signInWatchKey, w)
	c.Next()
}

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
	c.Set(websocketsKey, h.Metrics)
	streamTopic(c, h.Live, topic, h.OriginPatterns, h.Log, next)
}

// streamTopic is every live page's one way to stream: the console's and
// the desk's. It subscribes to topic on b, then pumps what next renders.
func streamTopic(c *gin.Context, b live.Broker, topic string, origins []string, log *slog.Logger, next catchUp) {
	seq, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	// Subscribe before the first read so nothing can fall between the two.
	sub := b.Subscribe(topic)
	pump(c, origins, log, sub.Ready(), sub.Close, func(ctx context.Context, first bool) (liveUpdate, bool, error) {
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

// liveLifetimeKey holds, in a request's context, the context whose end
// closes the live connections (the server's shutdown).
type liveLifetimeKey struct{}

// WithLiveLifetime marks ctx, a server's base context, as the one whose
// end closes its live connections: they outlive the request that opened
// them (see pump), so they cannot end with it.
func WithLiveLifetime(ctx context.Context) context.Context {
	return context.WithValue(ctx, liveLifetimeKey{}, ctx)
}

// connectionContext is a live connection's own context: the request's
// values (the viewer), not its end, which comes when the handler returns;
// it ends with the server's live lifetime when there is one, or on cancel.
func connectionContext(req context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(req))
	lifetime, _ := req.Value(liveLifetimeKey{}).(context.Context)
	if lifetime == nil {
		return ctx, cancel
	}
	stop := context.AfterFunc(lifetime, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// shallow runs fn on a goroutine of its own and waits for it. A live
// connection's goroutine lives as long as the page is open, mostly idle; the
// database and the templates need deep stacks, and a stack once grown stays
// grown until a collection happens to shrink it, so the deep work is done on
// a goroutine that ends with it.
func shallow(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// pump upgrades the request to a websocket and keeps one browser fed:
// next renders an update at once (first) and after every notice, and says
// whether there is anything to send; pings keep it open while idle. It
// drops the browser when a write fails or takes too long, so a slow browser
// never holds anyone else up. release is called once the connection is
// over (or never opened).
//
// After the first update the request's handler returns and the connection
// carries on in a goroutine of its own: the handler's goroutine, gin's
// context and the request are freed, which is most of what an idle
// connection would otherwise hold (see BENCHMARKS.md, Memory).
//
// When the request carries a signInWatch (see watchSignIn), the connection
// closes with a policy-violation status as soon as its sign-in is revoked,
// and checks the sign-in again at every ping in case a notice was lost.
func pump(c *gin.Context, origins []string, log *slog.Logger, notices <-chan struct{}, release func(), next func(ctx context.Context, first bool) (liveUpdate, bool, error)) {
	// cleanup runs in reverse order when the connection is over.
	var cleanup []func()
	finish := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	cleanup = append(cleanup, release)
	detached := false
	defer func() {
		if !detached {
			finish()
		}
	}()

	w, _ := c.Get(signInWatchKey)
	watch, _ := w.(*signInWatch)
	var revoked <-chan struct{}
	var revocations *live.Subscription
	if watch != nil && watch.subscribe != nil {
		revocations = watch.subscribe()
		cleanup = append(cleanup, revocations.Close)
		revoked = revocations.Ready()
	}
	// Subscribed first, then checked: a sign-out between the request's
	// authentication and the subscription is not missed.
	if watch != nil && !watch.valid(c.Request.Context()) {
		c.Status(http.StatusUnauthorized)
		return
	}
	conn, err := websocket.Accept(smallBuffers{c.Writer}, c.Request, &websocket.AcceptOptions{OriginPatterns: origins})
	if err != nil {
		log.Warn("websocket refused", "err", err, "origin", c.GetHeader("Origin"))
		return
	}
	cleanup = append(cleanup, func() { _ = conn.CloseNow() })
	if m, ok := c.Value(websocketsKey).(Metrics); ok {
		cleanup = append(cleanup, m.WebsocketOpened())
	}
	ctx, cancel := connectionContext(c.Request.Context())
	cleanup = append(cleanup, cancel)
	ctx = conn.CloseRead(ctx)
	send := func(first bool) error {
		var up liveUpdate
		var ok bool
		var err error
		shallow(func() { up, ok, err = next(ctx, first) })
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
	valid := func() bool {
		var ok bool
		shallow(func() { ok = watch.valid(ctx) })
		return ok
	}
	drop := func(err error) {
		log.Info("live connection dropped", "err", err)
		conn.Close(websocket.StatusGoingAway, "too slow or gone")
	}
	signedOut := func() {
		log.Info("live connection closed: its sign-in ended", "user_id", watch.user)
		conn.Close(websocket.StatusPolicyViolation, "signed out")
	}
	if err := send(true); err != nil {
		drop(err)
		return
	}
	detached = true
	go func() {
		defer finish()
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
			case <-revoked:
				users, all := revocations.Take()
				if (all || slices.Contains(users, watch.user)) && !valid() {
					signedOut()
					return
				}
			case <-ping.C:
				if watch != nil && !valid() {
					signedOut()
					return
				}
				pctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
				err := conn.Ping(pctx)
				cancel()
				if err != nil {
					drop(err)
					return
				}
			}
		}
	}()
}
