package alvaria

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testOrg      = "acme"
	testAPIKey   = "api-key-1"
	testClientID = "parley"
	testSecret   = "s3cret"
	tokenPath    = "/tokenservice/oauth2/access_token"
	// apiPrefix is a path prefix on APIURL, as the simulator mounts it.
	apiPrefix   = "/sim"
	sessionPath = apiPrefix + "/via/v2/organizations/" + testOrg + "/serverMessaging/session"
	messagePath = apiPrefix + "/via/v2/organizations/" + testOrg + "/serverMessaging/message"
)

// recorded is one API request as the fake server saw it.
type recorded struct {
	Method string
	Path   string
	Header http.Header
	Body   string
}

// fakeAlvaria is an httptest server playing both the token service and the
// Server Messaging API. handle answers the n-th API request (from 1).
type fakeAlvaria struct {
	t         *testing.T
	srv       *httptest.Server
	tokenHits atomic.Int32
	apiHits   atomic.Int32
	handle    func(w http.ResponseWriter, r *http.Request, n int)

	mu       sync.Mutex
	requests []recorded
}

func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeAlvaria {
	t.Helper()
	f := &fakeAlvaria{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAlvaria) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == tokenPath {
		f.serveToken(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.Header.Clone(), string(body)})
	f.mu.Unlock()
	f.handle(w, r, int(f.apiHits.Add(1)))
}

func (f *fakeAlvaria) serveToken(w http.ResponseWriter, r *http.Request) {
	n := f.tokenHits.Add(1)
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("token request: %v", err)
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if r.Method != http.MethodPost || r.PostForm.Get("grant_type") != "client_credentials" ||
		r.PostForm.Get("scope") != Scope || id != testClientID || secret != testSecret {
		f.t.Errorf("token request: method %s form %v id %q secret %q", r.Method, r.PostForm, id, secret)
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(TokenResponse{
		AccessToken: fmt.Sprintf("tok-%d", n),
		Scope:       Scope,
		TokenType:   "Bearer",
		ExpiresIn:   3599,
	})
}

func (f *fakeAlvaria) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

// config points at the fake with tiny delays.
func (f *fakeAlvaria) config() Config {
	return Config{
		APIURL:       f.srv.URL + apiPrefix + "/",
		TokenURL:     f.srv.URL + tokenPath,
		OrgID:        testOrg,
		ClientID:     testClientID,
		ClientSecret: testSecret,
		APIKey:       testAPIKey,
		HTTPClient:   f.srv.Client(),
		BaseDelay:    time.Millisecond,
		MaxDelay:     4 * time.Millisecond,
	}
}

// waits records the backoff waits a client asked for, without sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// client builds a Client on cfg whose waits are recorded instead of slept.
func newTestClient(t *testing.T, cfg Config) (*Client, *waits) {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	w := &waits{}
	c.sleep = w.sleep
	return c, w
}

// answer writes a JSON body with a status.
func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if body != nil {
		json.NewEncoder(w).Encode(body)
	}
}

// accept answers every operation's 202 body.
func accept(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/session"):
		answer(w, http.StatusAccepted, SessionResponse{SessionID: "ab7dbcbc-c041-4ac0-8ca0-5a0961f7be5"})
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/message"):
		answer(w, http.StatusAccepted, MessageResponse{MessageID: "22D45513-66F7-4A02-9998-EF8E72AB2363"})
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}

// operation is one of the three calls, run with valid input.
type operation struct {
	name   string
	repeat repeat
	run    func(ctx context.Context, c *Client) (string, error)
}

var (
	testSession = NewSession{WorkTypeID: "32", ContactName: "Customer Name", Integration: "SMS"}
	testMessage = Message{Text: "Hello there.", Attachment: &Attachment{Type: AttachmentImage, URL: "http://www.mydomain.com/image/graphics01.jpg"}}
)

var operations = []operation{
	{"create", repeatCreate, func(ctx context.Context, c *Client) (string, error) {
		return c.CreateSession(ctx, testSession)
	}},
	{"send", repeatSend, func(ctx context.Context, c *Client) (string, error) {
		return c.SendMessage(ctx, "sess-1", testMessage)
	}},
	{"delete", repeatFreely, func(ctx context.Context, c *Client) (string, error) {
		return "", c.DeleteSession(ctx, "sess-1")
	}},
}

func TestNewClientConfig(t *testing.T) {
	valid := Config{
		APIURL: "https://acme.via.aspect-cloud.net", TokenURL: "https://myaspect.us.id.aspect-cloud.net/tokenservice/oauth2/access_token",
		OrgID: "acme", ClientID: "id", ClientSecret: "secret", APIKey: "key",
	}
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // substring of the error; empty for success
	}{
		{"valid", func(*Config) {}, ""},
		{"no APIURL", func(c *Config) { c.APIURL = "" }, "APIURL is required"},
		{"no TokenURL", func(c *Config) { c.TokenURL = " " }, "TokenURL is required"},
		{"no OrgID", func(c *Config) { c.OrgID = "" }, "OrgID is required"},
		{"no ClientID", func(c *Config) { c.ClientID = "" }, "ClientID is required"},
		{"no ClientSecret", func(c *Config) { c.ClientSecret = "" }, "ClientSecret is required"},
		{"no APIKey", func(c *Config) { c.APIKey = "" }, "APIKey is required"},
		{"relative APIURL", func(c *Config) { c.APIURL = "acme.via.aspect-cloud.net" }, "APIURL"},
		{"ftp TokenURL", func(c *Config) { c.TokenURL = "ftp://host/token" }, "TokenURL"},
		{"APIURL with query", func(c *Config) { c.APIURL = "https://host/?a=b" }, "APIURL"},
		{"negative MaxAttempts", func(c *Config) { c.MaxAttempts = -1 }, "MaxAttempts"},
		{"negative BaseDelay", func(c *Config) { c.BaseDelay = -time.Second }, "BaseDelay"},
		{"MaxDelay below BaseDelay", func(c *Config) { c.BaseDelay, c.MaxDelay = time.Second, time.Millisecond }, "MaxDelay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.modify(&cfg)
			c, err := NewClient(cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				if c.maxAttempts != DefaultMaxAttempts || c.baseDelay != DefaultBaseDelay || c.maxDelay != DefaultMaxDelay {
					t.Errorf("defaults: %d %s %s", c.maxAttempts, c.baseDelay, c.maxDelay)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewClient error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestRequestShape checks path (with org id and the APIURL's prefix), headers
// and body of each call against the API document.
func TestRequestShape(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { accept(w, r) })
	c, _ := newTestClient(t, f.config())
	ctx := context.Background()

	sessionID, err := c.CreateSession(ctx, testSession)
	if err != nil || sessionID != "ab7dbcbc-c041-4ac0-8ca0-5a0961f7be5" {
		t.Fatalf("CreateSession = %q, %v", sessionID, err)
	}
	messageID, err := c.SendMessage(ctx, sessionID, testMessage)
	if err != nil || messageID != "22D45513-66F7-4A02-9998-EF8E72AB2363" {
		t.Fatalf("SendMessage = %q, %v", messageID, err)
	}
	if err := c.DeleteSession(ctx, sessionID); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}

	want := []struct {
		method, path, sessionHeader, contentType, body string
	}{
		{"POST", sessionPath, "", "application/json", `{"workTypeId":"32","contactName":"Customer Name","integration":"SMS"}`},
		{"POST", messagePath, sessionID, "application/json", `{"text":"Hello there.","attachment":{"type":"Image","url":"http://www.mydomain.com/image/graphics01.jpg"}}`},
		{"DELETE", sessionPath, sessionID, "", ""},
	}
	got := f.recorded()
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.Path != w.path {
			t.Errorf("request %d: %s %s, want %s %s", i, g.Method, g.Path, w.method, w.path)
		}
		headers := map[string]string{
			"Authorization": "Bearer tok-1",
			HeaderAPIKey:    testAPIKey,
			"Accept":        "application/json",
			"Content-Type":  w.contentType,
			HeaderSessionID: w.sessionHeader,
		}
		for name, value := range headers {
			if g.Header.Get(name) != value || len(g.Header.Values(name)) > 1 {
				t.Errorf("request %d: header %s = %q, want %q", i, name, g.Header.Values(name), value)
			}
		}
		if g.Body != w.body {
			t.Errorf("request %d: body %s, want %s", i, g.Body, w.body)
		}
	}
}

// TestStatusCodes runs every status code of the API document against each
// call and checks the result, the typed error and how many tries were made.
func TestStatusCodes(t *testing.T) {
	errBody := ErrorResponse{Code: 0, Message: "not found", Errors: []ErrorDetail{{Scope: "scope", Reason: "reason", Message: "message"}}}
	for _, op := range operations {
		for _, code := range []int{202, 400, 401, 404, 405, 429, 500} {
			t.Run(fmt.Sprintf("%s/%d", op.name, code), func(t *testing.T) {
				body := errBody
				body.Code = code
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
					switch code {
					case 202:
						accept(w, r)
					case 401: // the document gives 401 no body
						w.WriteHeader(code)
					default:
						answer(w, code, body)
					}
				})
				c, _ := newTestClient(t, f.config())
				id, err := op.run(context.Background(), c)

				wantHits, wantTokens := 1, 1
				switch {
				case code == 401:
					wantHits, wantTokens = 2, 2 // one refresh, one retry
				case code == 429, code == 500 && op.name != "send":
					wantHits = DefaultMaxAttempts
				}
				if got := int(f.apiHits.Load()); got != wantHits {
					t.Errorf("API hits = %d, want %d", got, wantHits)
				}
				if got := int(f.tokenHits.Load()); got != wantTokens {
					t.Errorf("token hits = %d, want %d", got, wantTokens)
				}

				if code == 202 {
					if err != nil {
						t.Fatalf("err = %v", err)
					}
					if op.name != "delete" && id == "" {
						t.Error("no id returned")
					}
					return
				}
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v (%T), want *APIError", err, err)
				}
				if apiErr.StatusCode != code {
					t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, code)
				}
				wantResp := body
				if code == 401 {
					wantResp = ErrorResponse{}
				}
				if !reflect.DeepEqual(apiErr.Response, wantResp) {
					t.Errorf("Response = %+v, want %+v", apiErr.Response, wantResp)
				}
				if code != 401 && !strings.Contains(err.Error(), "not found (scope: reason: message)") {
					t.Errorf("error text %q lacks Alvaria's words", err)
				}
				wantUnknown := code == 500 && op.name == "send"
				if errors.Is(err, ErrOutcomeUnknown) != wantUnknown {
					t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v (err %v)", !wantUnknown, wantUnknown, err)
				}
			})
		}
	}
}

func TestTokenFetchedOnceForManyCalls(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { accept(w, r) })
	c, _ := newTestClient(t, f.config())

	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			if _, err := operations[i%len(operations)].run(context.Background(), c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := f.tokenHits.Load(); got != 1 {
		t.Errorf("token hits = %d, want 1", got)
	}
	for _, r := range f.recorded() {
		if got := r.Header.Get("Authorization"); got != "Bearer tok-1" {
			t.Errorf("Authorization = %q", got)
		}
	}
}

func TestUnauthorizedRefreshesTokenOnce(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		accept(w, r)
	})
	c, _ := newTestClient(t, f.config())
	if _, err := c.CreateSession(context.Background(), testSession); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if _, err := c.SendMessage(context.Background(), "sess-1", testMessage); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if got := f.tokenHits.Load(); got != 2 {
		t.Errorf("token hits = %d, want 2", got)
	}
	var auth []string
	for _, r := range f.recorded() {
		auth = append(auth, r.Header.Get("Authorization"))
	}
	// The refused token is not used again; the new one is kept for later calls.
	want := []string{"Bearer tok-1", "Bearer tok-2", "Bearer tok-2"}
	if !reflect.DeepEqual(auth, want) {
		t.Errorf("Authorization headers = %q, want %q", auth, want)
	}
}

func TestTokenInvalidateOncePerGeneration(t *testing.T) {
	f := newFake(t, nil)
	cache := newTokenCache(f.config(), f.srv.Client())
	ctx := context.Background()
	_, gen, err := cache.token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Two calls refused with the same token refresh it only once.
	cache.invalidate(gen)
	cache.invalidate(gen)
	tok, _, err := cache.token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "tok-2" || f.tokenHits.Load() != 2 {
		t.Errorf("token %q after %d fetches, want tok-2 after 2", tok.AccessToken, f.tokenHits.Load())
	}
}

func TestTokenServerErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		wantHits int32
	}{
		{"refused credentials are final", http.StatusUnauthorized, 1},
		{"bad request is final", http.StatusBadRequest, 1},
		{"server error is retried", http.StatusInternalServerError, DefaultMaxAttempts},
		{"throttling is retried", http.StatusTooManyRequests, DefaultMaxAttempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Error(w, `{"error":"nope"}`, tt.status)
			}))
			defer srv.Close()
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { t.Error("API called without a token") })
			cfg := f.config()
			cfg.TokenURL = srv.URL
			c, _ := newTestClient(t, cfg)
			_, err := c.CreateSession(context.Background(), testSession)
			if err == nil || !strings.Contains(err.Error(), "create session: get access token") {
				t.Fatalf("err = %v", err)
			}
			// The default auth style probe may try twice per fetch on 4xx.
			if got := hits.Load(); got < tt.wantHits || got > 2*tt.wantHits {
				t.Errorf("token hits = %d, want %d (or twice that)", got, tt.wantHits)
			}
		})
	}
}

func TestValidationBeforeRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { accept(w, r) })
	c, _ := newTestClient(t, f.config())
	ctx := context.Background()
	tests := []struct {
		name  string
		run   func() error
		field string
	}{
		{"create without contact", func() error {
			_, err := c.CreateSession(ctx, NewSession{WorkTypeID: "32"})
			return err
		}, "contactName"},
		{"send without session", func() error {
			_, err := c.SendMessage(ctx, "", testMessage)
			return err
		}, "sessionId"},
		{"send empty message", func() error {
			_, err := c.SendMessage(ctx, "sess-1", Message{Text: "  "})
			return err
		}, "text"},
		{"send bad attachment", func() error {
			_, err := c.SendMessage(ctx, "sess-1", Message{Attachment: &Attachment{Type: "Gif", URL: "http://x"}})
			return err
		}, "attachment.type"},
		{"delete header injection", func() error {
			return c.DeleteSession(ctx, "sess-1\r\nx-evil: 1")
		}, "sessionId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("err = %v, want ValidationError on %s", err, tt.field)
			}
		})
	}
	if f.apiHits.Load() != 0 || f.tokenHits.Load() != 0 {
		t.Errorf("requests made for bad input: %d API, %d token", f.apiHits.Load(), f.tokenHits.Load())
	}
}

// TestSuccessWithUnusableBody: Alvaria accepted the call, so however bad its
// answer, it is not repeated, and the caller learns the outcome is unknown.
func TestSuccessWithUnusableBody(t *testing.T) {
	for _, body := range []string{"<html>ok</html>", "{}", ""} {
		for _, op := range operations[:2] {
			t.Run(op.name+"/"+body, func(t *testing.T) {
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
					w.WriteHeader(http.StatusAccepted)
					io.WriteString(w, body)
				})
				c, _ := newTestClient(t, f.config())
				_, err := op.run(context.Background(), c)
				if !errors.Is(err, ErrOutcomeUnknown) {
					t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
				}
				if f.apiHits.Load() != 1 {
					t.Errorf("API hits = %d, want 1: a 202 must never be retried", f.apiHits.Load())
				}
			})
		}
	}
}
