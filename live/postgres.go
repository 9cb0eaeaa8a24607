package live

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgChannel is the LISTEN/NOTIFY channel Parley instances share.
const pgChannel = "parley_live"

// PGBroker is the Broker for several Parley instances on one Postgres
// database: a notice is delivered at once to this instance's subscribers
// and sent with NOTIFY to the others, which LISTEN for it.
type PGBroker struct {
	hub      *Hub
	pool     *pgxpool.Pool
	url      string
	instance string
	log      *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	listening bool
}

// NewPGBroker connects to the database at url and starts listening. It
// returns once the first LISTEN is in place, so no notice sent after it
// returns is missed.
func NewPGBroker(ctx context.Context, url string, log *slog.Logger) (*PGBroker, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("live: connect: %w", err)
	}
	b := &PGBroker{hub: NewHub(), pool: pool, url: url, instance: rand.Text()[:12], log: log, done: make(chan struct{})}
	conn, err := b.listen(ctx)
	if err != nil {
		pool.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.cancel = cancel
	go b.run(runCtx, conn)
	return b, nil
}

// Publish tells this instance's subscribers now and the other instances
// through NOTIFY. A failed NOTIFY loses nothing stored: their pages catch up
// on their next notice or reconnect.
func (b *PGBroker) Publish(ctx context.Context, topic, key string) error {
	b.hub.Publish(ctx, topic, key)
	_, payloads := b.NotifyPayloads(Notice{Topic: topic, Key: key})
	payload := payloads[0]
	if _, err := b.pool.Exec(ctx, "SELECT pg_notify($1, $2)", pgChannel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", topic, err)
	}
	return nil
}

// NotifyPayloads returns the channel and the NOTIFY payloads that carry
// notices to the other instances, for a transaction to send.
func (b *PGBroker) NotifyPayloads(notices ...Notice) (channel string, payloads []string) {
	payloads = make([]string, len(notices))
	for i, n := range notices {
		payloads[i] = b.instance + "\n" + n.Topic + "\n" + n.Key
	}
	return pgChannel, payloads
}

// PublishLocal tells this instance's subscribers only, once the
// transaction that sent the notices' NOTIFY has committed.
func (b *PGBroker) PublishLocal(ctx context.Context, notices ...Notice) {
	for _, n := range notices {
		b.hub.Publish(ctx, n.Topic, n.Key)
	}
}

// Subscribe starts receiving notices for topic, from every instance.
func (b *PGBroker) Subscribe(topic string) *Subscription { return b.hub.Subscribe(topic) }

// Listening reports whether notices from other instances are arriving.
func (b *PGBroker) Listening() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.listening
}

// Close stops listening and closes the connections.
func (b *PGBroker) Close() {
	b.cancel()
	<-b.done
	b.pool.Close()
}

func (b *PGBroker) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, b.url)
	if err != nil {
		return nil, fmt.Errorf("live: listen connection: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgChannel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("live: LISTEN: %w", err)
	}
	b.setListening(true)
	return conn, nil
}

func (b *PGBroker) setListening(v bool) {
	b.mu.Lock()
	b.listening = v
	b.mu.Unlock()
}

// run delivers notices from other instances. When the connection drops it
// reconnects with backoff, then tells every subscriber to refresh, since
// notices sent meanwhile are gone.
func (b *PGBroker) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	wait := 100 * time.Millisecond
	for {
		err := b.receive(ctx, conn)
		conn.Close(context.Background())
		b.setListening(false)
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("live notices from other instances interrupted; reconnecting", "err", err)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			if conn, err = b.listen(ctx); err == nil {
				break
			}
			wait = min(wait*2, 10*time.Second)
			b.log.Warn("live: reconnect failed", "err", err, "retry_in", wait)
		}
		wait = 100 * time.Millisecond
		b.hub.resyncAll()
		b.log.Info("live notices from other instances resumed")
	}
}

func (b *PGBroker) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		from, rest, ok := strings.Cut(n.Payload, "\n")
		if !ok {
			continue
		}
		if from == b.instance {
			continue // delivered locally when published
		}
		topic, key, ok := strings.Cut(rest, "\n")
		if !ok {
			b.log.Warn("live: ignoring a malformed notice", "payload", n.Payload)
			continue
		}
		b.hub.Publish(ctx, topic, key)
	}
}
