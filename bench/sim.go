package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// SimTarget is an Alvaria Server Messaging API to drive: the simulator, or
// any mock of the same API (the Prism anchor).
type SimTarget struct {
	BaseURL      string // where /via/v2/... and /tokenservice/... are
	OrgID        string
	ClientID     string
	ClientSecret string
	APIKey       string
	// SkipAuth sends a fixed bearer token instead of fetching one, for a
	// mock that has no token endpoint.
	SkipAuth bool
}

// maxAnswerBytes bounds how much of an answer the load tool reads.
const maxAnswerBytes = 64 << 10

// createSessionBody is one Create Session request, as the document's
// example, with the work type as the string the schema names.
var createSessionBody = []byte(`{"workTypeId":"32","contactName":"Bench Customer","integration":"SMS"}`)

// SimLoad is the outcome of a create-session run.
type SimLoad struct {
	Sent     int
	Accepted int // answered 202 with a sessionId
	Non202   map[int]int
	Errors   int
	FirstErr error
	Elapsed  time.Duration
	Latency  Latencies
}

// Rate is sessions created (202) per second.
func (l SimLoad) Rate() float64 {
	if l.Elapsed <= 0 {
		return 0
	}
	return float64(l.Accepted) / l.Elapsed.Seconds()
}

func (l SimLoad) String() string {
	s := fmt.Sprintf("sent %d in %s: %d answered 202", l.Sent, l.Elapsed.Round(time.Millisecond), l.Accepted)
	for code, n := range l.Non202 {
		s += fmt.Sprintf(", %d answered %d", n, code)
	}
	if l.Errors > 0 {
		s += fmt.Sprintf(", %d without an answer (first: %v)", l.Errors, l.FirstErr)
	}
	return s
}

// FetchToken gets an access token with the client credentials grant, once,
// as Parley's client does before its calls.
func FetchToken(ctx context.Context, client *http.Client, t SimTarget) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {alvaria.Scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.BaseURL, "/")+"/tokenservice/oauth2/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(t.ClientID), url.QueryEscape(t.ClientSecret))
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token endpoint answered %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	var tok alvaria.TokenResponse
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token endpoint answered 200 without an access_token: %s", bytes.TrimSpace(body))
	}
	return tok.AccessToken, nil
}

// NewLoadClient is an HTTP client keeping one connection per worker, so a
// run measures requests, not connection setup.
func NewLoadClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			MaxConnsPerHost:     concurrency,
		},
	}
}

// CreateSessions posts Create Session from concurrency workers for duration
// (or until count requests, if positive), fetching the token once first
// unless t.SkipAuth, and times each answer.
func CreateSessions(ctx context.Context, t SimTarget, concurrency, count int, duration time.Duration) (SimLoad, error) {
	concurrency = max(1, concurrency)
	client := NewLoadClient(concurrency)
	defer client.CloseIdleConnections()
	token := "bench-token"
	if !t.SkipAuth {
		var err error
		if token, err = FetchToken(ctx, client, t); err != nil {
			return SimLoad{}, err
		}
	}
	endpoint := strings.TrimRight(t.BaseURL, "/") + "/via/v2/organizations/" + url.PathEscape(t.OrgID) + "/serverMessaging/session"
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}
	type result struct {
		latencies []time.Duration
		accepted  int
		non202    map[int]int
		errors    int
		firstErr  error
		sent      int
	}
	var budget sync.Mutex
	left := count
	take := func() bool {
		if count <= 0 {
			return true
		}
		budget.Lock()
		defer budget.Unlock()
		if left == 0 {
			return false
		}
		left--
		return true
	}
	header := [][2]string{
		{"Content-Type", "application/json"},
		{"Accept", "application/json"},
		{"Authorization", "Bearer " + token},
		{alvaria.HeaderAPIKey, t.APIKey},
	}
	conns := make([]*rawConn, concurrency)
	for w := range conns {
		c, err := newRawConn(endpoint, header, createSessionBody)
		if err != nil {
			return SimLoad{}, err
		}
		conns[w] = c
	}
	results := make([]result, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := conns[w]
			defer c.close()
			r := &results[w]
			r.non202 = map[int]int{}
			r.latencies = make([]time.Duration, 0, 4096)
			for ctx.Err() == nil && take() {
				t0 := time.Now()
				code, err := createOne(c)
				r.latencies = append(r.latencies, time.Since(t0))
				r.sent++
				switch {
				case err != nil:
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
				case code == http.StatusAccepted:
					r.accepted++
				default:
					r.non202[code]++
				}
			}
		}()
	}
	wg.Wait()
	load := SimLoad{Non202: map[int]int{}, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		load.Sent += r.sent
		load.Accepted += r.accepted
		for code, n := range r.non202 {
			load.Non202[code] += n
		}
		load.Errors += r.errors
		if load.FirstErr == nil {
			load.FirstErr = r.firstErr
		}
	}
	load.Latency = Summarize(all)
	if load.Sent > 0 && load.Accepted == 0 {
		return load, errors.New("no Create Session was answered 202: " + load.String())
	}
	return load, nil
}

// createOne posts one Create Session; a 202 must carry a sessionId, so a
// target that answers without doing the work is not counted.
func createOne(c *rawConn) (int, error) {
	code, body, err := c.post()
	if err != nil {
		return 0, err
	}
	if code == http.StatusAccepted && !bytes.Contains(body, []byte(`"sessionId"`)) {
		return 0, fmt.Errorf("202 without a sessionId: %s", bytes.TrimSpace(body))
	}
	return code, nil
}
