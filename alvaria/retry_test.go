package alvaria

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// retryPolicy is what README.md promises, per call and status: the number
// of tries when Alvaria keeps answering it, and whether the error then says
// the outcome is unknown. Create is repeated on every 5xx Alvaria answered
// except 504, a gateway's timeout after the request went in; send is
// repeated only on 429, because Alvaria does not document deduplicating
// messages and a repeated send would show the customer's message twice.
var retryPolicy = map[string]map[int]struct {
	tries   int
	unknown bool
}{
	"create": {429: {DefaultMaxAttempts, false}, 500: {DefaultMaxAttempts, false}, 502: {DefaultMaxAttempts, false}, 503: {DefaultMaxAttempts, false}, 504: {1, true}},
	"send":   {429: {DefaultMaxAttempts, false}, 500: {1, true}, 502: {1, true}, 503: {1, true}, 504: {1, true}},
	"delete": {429: {DefaultMaxAttempts, false}, 500: {DefaultMaxAttempts, false}, 502: {DefaultMaxAttempts, false}, 503: {DefaultMaxAttempts, false}, 504: {DefaultMaxAttempts, false}},
}

// TestRetryableStatuses checks, for each call and each status Alvaria may
// answer when overloaded, how many tries are made against a server that
// counts them, and that a later success is returned.
func TestRetryableStatuses(t *testing.T) {
	for _, op := range operations {
		for _, code := range []int{429, 500, 502, 503, 504} {
			policy := retryPolicy[op.name][code]
			retried := policy.tries > 1
			t.Run(fmt.Sprintf("%s/%d/always", op.name, code), func(t *testing.T) {
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
					answer(w, code, ErrorResponse{Code: code, Message: "busy"})
				})
				c, waits := newTestClient(t, f.config())
				_, err := op.run(context.Background(), c)
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != code || apiErr.Response.Message != "busy" {
					t.Fatalf("err = %v", err)
				}
				want := policy.tries
				if retried && !strings.Contains(err.Error(), fmt.Sprintf("gave up after %d attempts", want)) {
					t.Errorf("error %q does not say how many attempts", err)
				}
				if errors.Is(err, ErrOutcomeUnknown) != policy.unknown {
					t.Errorf("err = %v, want ErrOutcomeUnknown %v", err, policy.unknown)
				}
				if got := int(f.apiHits.Load()); got != want {
					t.Errorf("API hits = %d, want %d", got, want)
				}
				if got := len(waits.all()); got != want-1 {
					t.Errorf("waits = %d, want %d", got, want-1)
				}
				for _, d := range waits.all() {
					if d < 0 || d > c.maxDelay {
						t.Errorf("wait %s outside [0, %s]", d, c.maxDelay)
					}
				}
			})
			if !retried {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d/then202", op.name, code), func(t *testing.T) {
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
					if n < 3 {
						answer(w, code, ErrorResponse{Code: code})
						return
					}
					accept(w, r)
				})
				c, _ := newTestClient(t, f.config())
				if _, err := op.run(context.Background(), c); err != nil {
					t.Fatalf("err = %v", err)
				}
				if got := f.apiHits.Load(); got != 3 {
					t.Errorf("API hits = %d, want 3", got)
				}
			})
		}
	}
}

func TestMaxAttemptsConfigured(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { answer(w, 503, nil) })
	cfg := f.config()
	cfg.MaxAttempts = 2
	c, _ := newTestClient(t, cfg)
	if err := c.DeleteSession(context.Background(), "sess-1"); err == nil {
		t.Fatal("no error")
	}
	if got := f.apiHits.Load(); got != 2 {
		t.Errorf("API hits = %d, want 2", got)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		header     string
		wantHits   int32
		wantWaits  []time.Duration
		wantRetryA time.Duration // APIError.RetryAfter when the call fails
	}{
		{"seconds", "2", 2, []time.Duration{2 * time.Second}, 0},
		{"http date", now.Add(3 * time.Second).Format(http.TimeFormat), 2, []time.Duration{3 * time.Second}, 0},
		{"date in the past", now.Add(-time.Minute).Format(http.TimeFormat), 2, []time.Duration{0}, 0},
		{"zero", "0", 2, []time.Duration{0}, 0},
		{"longer than MaxDelay is not retried", "60", 1, nil, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					w.Header().Set("Retry-After", tt.header)
					answer(w, http.StatusTooManyRequests, ErrorResponse{Code: 429, Message: "slow down"})
					return
				}
				accept(w, r)
			})
			cfg := f.config()
			cfg.MaxDelay = 10 * time.Second
			c, waits := newTestClient(t, cfg)
			c.now = func() time.Time { return now }
			_, err := c.SendMessage(context.Background(), "sess-1", testMessage)
			if got := f.apiHits.Load(); got != tt.wantHits {
				t.Errorf("API hits = %d, want %d", got, tt.wantHits)
			}
			if got := waits.all(); fmt.Sprint(got) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tt.wantWaits)
			}
			if tt.wantRetryA == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.RetryAfter != tt.wantRetryA {
				t.Fatalf("err = %v, want APIError with RetryAfter %s", err, tt.wantRetryA)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"5", 5 * time.Second, true},
		{" 5 ", 5 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},
		{"Saturday, 01-Mar-25 12:01:00 GMT", time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBackoffBoundsAndJitter(t *testing.T) {
	base, maxDelay := 100*time.Millisecond, time.Second
	for n := 1; n <= 8; n++ {
		bound := min(base<<(n-1), maxDelay)
		var sawHigh, sawLow bool
		for range 500 {
			d := backoff(n, base, maxDelay)
			if d < 0 || d > bound {
				t.Fatalf("backoff(%d) = %s, outside [0, %s]", n, d, bound)
			}
			sawHigh = sawHigh || d > bound/2
			sawLow = sawLow || d < bound/2
		}
		if !sawHigh || !sawLow {
			t.Errorf("backoff(%d) is not spread over [0, %s]", n, bound)
		}
	}
	if d := backoff(100, time.Hour, time.Duration(1<<62)); d < 0 {
		t.Errorf("backoff overflowed: %s", d)
	}
}

func TestNotRetriedStatuses(t *testing.T) {
	for _, code := range []int{400, 404, 405} {
		for _, op := range operations {
			t.Run(fmt.Sprintf("%s/%d", op.name, code), func(t *testing.T) {
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
					w.Header().Set("Retry-After", "0") // must not make it retryable
					answer(w, code, ErrorResponse{Code: code})
				})
				c, waits := newTestClient(t, f.config())
				if _, err := op.run(context.Background(), c); err == nil {
					t.Fatal("no error")
				}
				if f.apiHits.Load() != 1 || len(waits.all()) != 0 {
					t.Errorf("API hits = %d, waits = %v; want 1 and none", f.apiHits.Load(), waits.all())
				}
			})
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		// Cancel while the client waits to retry.
		time.AfterFunc(50*time.Millisecond, cancel)
		answer(w, http.StatusServiceUnavailable, nil)
	})
	cfg := f.config()
	cfg.BaseDelay, cfg.MaxDelay = time.Hour, time.Hour
	c, err := NewClient(cfg) // real sleeping
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.DeleteSession(ctx, "sess-1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want it to keep the last answer", err)
	}
	if f.apiHits.Load() != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("API hits = %d after %s", f.apiHits.Load(), time.Since(start))
	}
}

func TestWaitBeyondDeadlineIsNotStarted(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Retry-After", "3600")
		answer(w, http.StatusServiceUnavailable, nil)
	})
	cfg := f.config()
	cfg.BaseDelay, cfg.MaxDelay = time.Second, 2*time.Hour
	c, err := NewClient(cfg) // real sleeping
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err = c.DeleteSession(ctx, "sess-1")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s, want DeadlineExceeded at once", err, time.Since(start))
	}
}

// TestCreateAfterTimeoutIsNotRepeated is the rule that a request that may
// have reached Alvaria is not repeated for create and send, while delete is.
func TestCreateAfterTimeoutIsNotRepeated(t *testing.T) {
	for _, op := range operations {
		t.Run(op.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				<-r.Context().Done() // never answers; the client times out
			})
			cfg := f.config()
			cfg.HTTPClient = f.srv.Client()
			cfg.HTTPClient.Timeout = 100 * time.Millisecond
			c, _ := newTestClient(t, cfg)
			_, err := op.run(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			want := int32(1)
			if op.repeat == repeatFreely {
				want = DefaultMaxAttempts
			}
			if got := f.apiHits.Load(); got != want {
				t.Errorf("API hits = %d, want %d", got, want)
			}
			if errors.Is(err, ErrOutcomeUnknown) != (op.repeat != repeatFreely) {
				t.Errorf("err = %v; ErrOutcomeUnknown expected only for create and send", err)
			}
		})
	}
}

func TestDroppedConnectionIsNotRepeatedForCreate(t *testing.T) {
	for _, op := range operations[:2] {
		t.Run(op.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				conn.Close() // read the request, then drop the connection
			})
			c, _ := newTestClient(t, f.config())
			_, err := op.run(context.Background(), c)
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
			}
			if got := f.apiHits.Load(); got != 1 {
				t.Errorf("API hits = %d, want 1", got)
			}
		})
	}
}

// countingTransport counts requests to one host.
type countingTransport struct {
	base http.RoundTripper
	host string
	n    atomic.Int32
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == ct.host {
		ct.n.Add(1)
	}
	return ct.base.RoundTrip(r)
}

// TestConnectionRefusedIsRetried: a request that could not connect never
// reached Alvaria, so every call, create included, is retried.
func TestConnectionRefusedIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()

	for _, op := range operations {
		t.Run(op.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { t.Error("unexpected API request") })
			ct := &countingTransport{base: f.srv.Client().Transport, host: dead}
			cfg := f.config()
			cfg.APIURL = "http://" + dead + apiPrefix
			cfg.HTTPClient = &http.Client{Transport: ct}
			c, waits := newTestClient(t, cfg)
			_, err := op.run(context.Background(), c)
			if err == nil || errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want a connection error without ErrOutcomeUnknown", err)
			}
			if got := ct.n.Load(); got != DefaultMaxAttempts {
				t.Errorf("tries = %d, want %d", got, DefaultMaxAttempts)
			}
			if got := len(waits.all()); got != DefaultMaxAttempts-1 {
				t.Errorf("waits = %d, want %d", got, DefaultMaxAttempts-1)
			}
		})
	}
}
