// Package simulator imitates Alvaria Cloud's Server Messaging REST API v2:
// the OAuth2 token endpoint, the session and message endpoints, simulated
// agents who join and answer, and callbacks POSTed to a webhook with an
// RS256 JWT, retried until they are accepted. Parley runs it embedded or on
// its own, so that it works end to end without an Alvaria account.
package simulator

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Simulator is one simulated Alvaria organization. It is safe for
// concurrent use. New starts its background work; Close stops it.
type Simulator struct {
	cfg     Config
	handler http.Handler
	pubPEM  []byte

	tokens  *tokenStore
	limiter *rateLimiter
	sched   *scheduler
	deliv   *delivery
	dlog    *deliveryLog
	dice    *dice

	ctx          context.Context
	cancel       context.CancelFunc
	wg           sync.WaitGroup
	closeOnce    sync.Once
	ownTransport *http.Transport // closed on Close when we built the client

	// mu guards the sessions and events below. It is never held while a
	// callback is being sent.
	mu         sync.Mutex
	sessions   map[string]*session
	events     map[string]*event // by eventId, for Redeliver
	endedOrder []string          // ended session ids, oldest first, for pruning
}

// New checks cfg, fills in defaults and starts the agents' scheduler and the
// delivery workers. An error names the field that is wrong.
func New(cfg Config) (*Simulator, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("simulator config: %w", err)
	}
	pubPEM, err := encodePublicKeyPEM(&cfg.SigningKey.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("simulator config: SigningKey: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Simulator{
		cfg:      cfg,
		pubPEM:   pubPEM,
		tokens:   newTokenStore(),
		limiter:  newRateLimiter(cfg.RateLimit),
		sched:    newScheduler(),
		dlog:     newDeliveryLog(deliveryLogSize),
		dice:     newDice(cfg.Rand),
		ctx:      ctx,
		cancel:   cancel,
		sessions: map[string]*session{},
		events:   map[string]*event{},
	}
	client := cfg.HTTPClient
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.DeliveryWorkers
		s.ownTransport = tr
		client = &http.Client{
			Transport: tr,
			// A redirect is not a 200, so it is a failed delivery to retry,
			// not an invitation to POST the event somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	s.deliv = &delivery{
		url:      cfg.CallbackURL,
		client:   client,
		key:      cfg.SigningKey,
		now:      cfg.Now,
		log:      cfg.Log,
		dlog:     s.dlog,
		sched:    s.sched,
		changed:  func() { s.changed(DeliveriesKey) },
		retryFor: cfg.RetryFor,
		base:     cfg.RetryBaseDelay,
		maxDelay: cfg.RetryMaxDelay,
		timeout:  cfg.AttemptTimeout,
		latency:  cfg.CallbackLatency,
		hold:     max(2*cfg.AgentDelay, reorderMinHold),
		dupRate:  cfg.DuplicateRate,
		reorder:  cfg.ReorderRate,
		dice:     s.dice,
	}
	signers := runtime.GOMAXPROCS(0)
	s.deliv.init(signers)
	s.handler = s.routes()

	s.wg.Add(1 + cfg.DeliveryWorkers + signers)
	for range signers {
		go func() {
			defer s.wg.Done()
			s.deliv.signAhead()
		}()
	}
	go func() {
		defer s.wg.Done()
		s.sched.run(ctx)
	}()
	for range cfg.DeliveryWorkers {
		go func() {
			defer s.wg.Done()
			s.deliv.work(ctx)
		}()
	}
	return s, nil
}

// reorderMinHold is the least time ReorderRate holds a callback back waiting
// for the next one of its session.
const reorderMinHold = time.Second

// Close stops the agents, the timers and the deliveries, cutting short any
// attempt in flight, and waits for them. Callbacks not yet delivered are
// dropped. It always returns nil.
func (s *Simulator) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.deliv.close()
		s.wg.Wait()
		if s.ownTransport != nil {
			s.ownTransport.CloseIdleConnections()
		}
	})
	return nil
}

// Handler serves the simulated API. It can be mounted under a prefix with
// http.StripPrefix.
func (s *Simulator) Handler() http.Handler { return s.handler }

// PublicKey is the key that verifies the callback JWTs.
func (s *Simulator) PublicKey() *rsa.PublicKey { return &s.cfg.SigningKey.PublicKey }

// PublicKeyPEM is PublicKey as a PKIX "PUBLIC KEY" PEM block.
func (s *Simulator) PublicKeyPEM() []byte { return append([]byte(nil), s.pubPEM...) }
