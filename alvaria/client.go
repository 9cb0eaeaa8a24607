package alvaria

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
	// DefaultHTTPTimeout bounds each request of the default HTTP client, so a
	// stalled connection cannot hang a caller without a deadline.
	DefaultHTTPTimeout = 30 * time.Second
)

// Config is one connection to Alvaria's Server Messaging API.
type Config struct {
	APIURL       string // e.g. https://orgId.via.aspect-cloud.net; a path prefix is kept
	TokenURL     string // OAuth2 token endpoint
	OrgID        string
	ClientID     string
	ClientSecret string
	APIKey       string // sent as x-api-key
	// HTTPClient is used for both token and API calls; nil means a client
	// with DefaultHTTPTimeout.
	HTTPClient  *http.Client
	MaxAttempts int           // total tries for retryable failures; 0 means DefaultMaxAttempts
	BaseDelay   time.Duration // first backoff; 0 means DefaultBaseDelay
	MaxDelay    time.Duration // longest single wait; 0 means DefaultMaxDelay
	// Observer, when set, is told of every API request and retry.
	Observer Observer
}

// Client calls the Server Messaging API. It is safe for concurrent use.
//
// The OAuth2 token is fetched once and reused until shortly before it
// expires; a 401 drops it and the call is made once more with a new one.
// For DeleteSession, throttling (429), server errors (500, 502, 503, 504) and
// network errors are retried up to MaxAttempts tries in all, waiting an exponential backoff with
// full jitter between BaseDelay and MaxDelay, or exactly the server's
// Retry-After (seconds or HTTP date) when it sends one. A Retry-After longer
// than MaxDelay is not shortened: the call returns the *APIError at once, its
// RetryAfter field saying how long Alvaria asked to wait. 400, 404 and 405
// are never retried, and no wait is begun that would outlast ctx's deadline.
// CreateSession and SendMessage retry less than this; see their docs.
type Client struct {
	http        *http.Client
	tokens      *tokenCache
	apiKey      string
	sessionURL  string
	messageURL  string
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	observer    Observer

	// sleep and now are replaced in tests so retries need no real waiting.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// NewClient checks cfg and builds a Client; no request is made until the
// first call. An error names the first missing or invalid field.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("alvaria config: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	c := &Client{
		http:        hc,
		tokens:      newTokenCache(cfg, hc),
		apiKey:      cfg.APIKey,
		maxAttempts: cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts),
		baseDelay:   cmp.Or(cfg.BaseDelay, DefaultBaseDelay),
		maxDelay:    cmp.Or(cfg.MaxDelay, DefaultMaxDelay),
		observer:    cfg.Observer,
		sleep:       sleepCtx,
		now:         time.Now,
	}
	if c.observer == nil {
		c.observer = ignoreObserver{}
	}
	if c.maxDelay < c.baseDelay {
		return nil, fmt.Errorf("alvaria config: MaxDelay (%s) is shorter than BaseDelay (%s)", c.maxDelay, c.baseDelay)
	}
	// The org id is one path segment; escaping keeps an odd id from changing
	// the path. The base URL's own path (a simulator's prefix) is kept.
	base := strings.TrimRight(cfg.APIURL, "/") + "/via/v2/organizations/" + url.PathEscape(cfg.OrgID) + "/serverMessaging/"
	c.sessionURL = base + "session"
	c.messageURL = base + "message"
	return c, nil
}

func (cfg Config) validate() error {
	required := []struct{ name, value string }{
		{"APIURL", cfg.APIURL},
		{"TokenURL", cfg.TokenURL},
		{"OrgID", cfg.OrgID},
		{"ClientID", cfg.ClientID},
		{"ClientSecret", cfg.ClientSecret},
		{"APIKey", cfg.APIKey},
	}
	for _, f := range required {
		if strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("%s is required", f.name)
		}
	}
	for _, f := range required[:2] {
		if err := checkBaseURL(f.value); err != nil {
			return fmt.Errorf("%s %q: %w", f.name, f.value, err)
		}
	}
	// Paths are appended to APIURL as text, so a query would end up mid-URL.
	if strings.ContainsAny(cfg.APIURL, "?#") {
		return fmt.Errorf("APIURL %q must not have a query or fragment", cfg.APIURL)
	}
	switch {
	case cfg.MaxAttempts < 0:
		return fmt.Errorf("MaxAttempts must not be negative")
	case cfg.BaseDelay < 0:
		return fmt.Errorf("BaseDelay must not be negative")
	case cfg.MaxDelay < 0:
		return fmt.Errorf("MaxDelay must not be negative")
	}
	return nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an http or https URL")
	}
	if u.Host == "" {
		return fmt.Errorf("must have a host")
	}
	return nil
}

// CheckBaseURL tells whether s can be an API or token URL: absolute, http
// or https, with a host.
func CheckBaseURL(s string) error { return checkBaseURL(s) }
