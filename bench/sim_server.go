package bench

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/simulator"
)

// Receiver is a webhook for the simulator's callbacks that does as little
// as it can, so that a delivery run measures the simulator: it counts each
// event id once, tells doubles apart and, when asked, verifies the token.
type Receiver struct {
	URL      string
	verifier *alvaria.Verifier
	srv      *http.Server

	received atomic.Int64 // distinct events answered 200
	mu       sync.Mutex
	seen     map[string]struct{}
	doubled  int
	refused  int
}

// StartReceiver listens on loopback. With key, it verifies each callback's
// JWT against it and refuses (401) what does not verify.
func StartReceiver(key *rsa.PublicKey) (*Receiver, error) {
	r := &Receiver{seen: map[string]struct{}{}}
	if key != nil {
		v, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: key})
		if err != nil {
			return nil, err
		}
		r.verifier = v
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("receiver listen: %w", err)
	}
	r.URL = "http://" + ln.Addr().String() + "/webhook"
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxAnswerBytes))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var eventID string
	if r.verifier != nil {
		claims, err := r.verifier.Verify(req.Header.Get("Authorization"))
		if err == nil {
			err = claims.CheckBody(body)
		}
		if err != nil {
			r.mu.Lock()
			r.refused++
			r.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		eventID = claims.EventID
	} else {
		eventID = eventIDOf(body)
	}
	r.mu.Lock()
	if _, dup := r.seen[eventID]; dup {
		r.doubled++
	} else {
		r.seen[eventID] = struct{}{}
		r.received.Add(1)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// eventIDOf finds "eventId":"…" in a callback body without decoding it all:
// the simulator writes the field last and never escapes an id.
func eventIDOf(body []byte) string {
	const key = `"eventId":"`
	for i := len(body) - len(key); i >= 0; i-- {
		if string(body[i:i+len(key)]) == key {
			rest := body[i+len(key):]
			for j, c := range rest {
				if c == '"' {
					return string(rest[:j])
				}
			}
		}
	}
	return string(body) // no id: every body counts as its own event
}

// Received is how many distinct events were answered 200.
func (r *Receiver) Received() int64 { return r.received.Load() }

// Problems are the doubles and the refused tokens seen so far.
func (r *Receiver) Problems() (doubled, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.doubled, r.refused
}

// Close stops the receiver.
func (r *Receiver) Close() { _ = r.srv.Close() }

// SimServer is a simulator serving its API on loopback, as `parley
// simulate` does, for the bench to drive.
type SimServer struct {
	Sim    *simulator.Simulator
	Target SimTarget
	srv    *http.Server
}

// StartSimulator starts cfg's simulator on a loopback port. The target has
// the simulator's credentials.
func StartSimulator(cfg simulator.Config) (*SimServer, error) {
	sim, err := simulator.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = sim.Close()
		return nil, fmt.Errorf("simulator listen: %w", err)
	}
	s := &SimServer{
		Sim: sim,
		Target: SimTarget{
			BaseURL:      "http://" + ln.Addr().String(),
			OrgID:        cmpOr(cfg.OrgID, simulator.DefaultOrgID),
			ClientID:     cmpOr(cfg.ClientID, simulator.DefaultClientID),
			ClientSecret: cmpOr(cfg.ClientSecret, simulator.DefaultClientSecret),
			APIKey:       cmpOr(cfg.APIKey, simulator.DefaultAPIKey),
		},
		srv: &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second},
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Close stops the server and the simulator.
func (s *SimServer) Close() {
	_ = s.srv.Close()
	_ = s.Sim.Close()
}

// Delivered is the outcome of a delivery run.
type Delivered struct {
	Events  int // callbacks queued before the clock started
	Got     int64
	Doubled int
	Refused int
	Elapsed time.Duration
}

// Rate is distinct callbacks received per second.
func (d Delivered) Rate() float64 {
	if d.Elapsed <= 0 {
		return 0
	}
	return float64(d.Got) / d.Elapsed.Seconds()
}

func (d Delivered) String() string {
	return fmt.Sprintf("%d of %d callbacks delivered in %s: %.0f/s; %d doubled, %d refused by the receiver",
		d.Got, d.Events, d.Elapsed.Round(time.Millisecond), d.Rate(), d.Doubled, d.Refused)
}

// Deliver queues callbacks with delivery paused — sessions created through
// the API (NEW_SESSION), an agent joining each (AGENT_JOINED) and replies
// (MESSAGE) until there are about events — then resumes delivery and
// times until the receiver has every one, or timeout passes.
func Deliver(ctx context.Context, s *SimServer, rcv *Receiver, sessions, events int, timeout time.Duration) (Delivered, error) {
	s.Sim.PauseDelivery()
	perSession := max(2, events/max(1, sessions))
	load, err := CreateSessions(ctx, s.Target, 8, sessions, 0)
	if err != nil {
		return Delivered{}, err
	}
	if load.Accepted != sessions {
		return Delivered{}, fmt.Errorf("queueing callbacks: %s", load)
	}
	total := 0
	for _, info := range s.Sim.Sessions() {
		if err := s.Sim.Join(info.ID, "Bench"); err != nil {
			return Delivered{}, err
		}
		for i := range perSession - 2 {
			if err := s.Sim.AgentReply(info.ID, alvaria.Message{Text: "bench reply " + strconv.Itoa(i)}); err != nil {
				return Delivered{}, err
			}
		}
		total += perSession
	}
	if b := s.Sim.Backlog(); b != total {
		return Delivered{}, fmt.Errorf("queued %d callbacks, the simulator's backlog says %d", total, b)
	}
	start := time.Now()
	s.Sim.ResumeDelivery()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for rcv.Received() < int64(total) {
		select {
		case <-ctx.Done():
			return Delivered{}, ctx.Err()
		case <-deadline.C:
			d := Delivered{Events: total, Got: rcv.Received(), Elapsed: time.Since(start)}
			d.Doubled, d.Refused = rcv.Problems()
			return d, errors.New("timed out: " + d.String())
		case <-tick.C:
		}
	}
	d := Delivered{Events: total, Got: rcv.Received(), Elapsed: time.Since(start)}
	d.Doubled, d.Refused = rcv.Problems()
	return d, nil
}
