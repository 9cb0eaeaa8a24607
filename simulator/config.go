package simulator

import (
	"cmp"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultOrgID           = "demo"
	DefaultClientID        = "parley"
	DefaultClientSecret    = "parley-secret"
	DefaultAPIKey          = "parley-api-key"
	DefaultAgentDelay      = time.Second
	DefaultSessionMaxLife  = 4 * time.Hour
	DefaultTokenTTL        = 3599 * time.Second
	DefaultRetryFor        = 4 * time.Hour
	DefaultRetryBaseDelay  = time.Second
	DefaultRetryMaxDelay   = 10 * time.Minute
	DefaultAttemptTimeout  = 10 * time.Second
	DefaultDeliveryWorkers = 16
	DefaultKeepEnded       = time.Hour
	DefaultMaxEnded        = 1000
	DefaultTranscriptCap   = 1000
	DefaultBacklogLimit    = 10000
	DefaultErrorStatus     = http.StatusInternalServerError
)

// Issuer is the iss claim of every callback token the simulator signs.
const Issuer = "alvaria-simulator"

// Config describes one simulated Alvaria organization. Zero values take the
// defaults above; CallbackURL and SigningKey are required.
type Config struct {
	OrgID        string
	ClientID     string // OAuth2 client id the token endpoint accepts
	ClientSecret string
	APIKey       string   // the x-api-key the API accepts
	WorkTypes    []string // accepted work type ids; empty accepts all

	AgentDelay     time.Duration // before the agent joins and before each automatic reply
	SessionMaxLife time.Duration // when the system ends a session
	TokenTTL       time.Duration // access token lifetime
	RateLimit      float64       // requests per second per API key; 0 is unlimited

	CallbackURL     string          // where callbacks are POSTed
	SigningKey      *rsa.PrivateKey // signs the callback JWTs (RS256)
	RetryFor        time.Duration   // how long a failing callback is retried after its first attempt
	RetryBaseDelay  time.Duration   // wait before the first retry; doubles after each failure
	RetryMaxDelay   time.Duration   // longest wait between retries
	AttemptTimeout  time.Duration   // bound on one delivery attempt
	DeliveryWorkers int             // callbacks in flight at once (one per session at a time)
	HTTPClient      *http.Client    // for deliveries; nil builds one that does not follow redirects

	KeepEnded time.Duration // how long an ended session is remembered
	MaxEnded  int           // how many ended sessions are remembered at most

	// TranscriptCap is how many lines a session's transcript keeps; older
	// lines are dropped and counted, so a long session stays bounded.
	TranscriptCap int
	// BacklogLimit is how many callbacks may wait for delivery before
	// Create Session and Send Message answer 429, rather than queue work
	// that would take minutes to send.
	BacklogLimit int

	Log *slog.Logger
	Now func() time.Time // the clock for stamps, token expiry, rate limits and RetryFor

	// Live is told of every change to a session, a transcript or the
	// delivery log, on ChangesTopic; the desk's pages stream from it. Nil
	// tells nobody.
	Live Publisher

	// Fault injection.
	ErrorRate       float64       // share (0..1) of API calls answered with ErrorStatus
	ErrorStatus     int           // 500 or 429
	CallbackLatency time.Duration // added before each delivery attempt
	DuplicateRate   float64       // share (0..1) of callbacks delivered twice
	ReorderRate     float64       // share (0..1) of callbacks held back and delivered after the session's next one
	// Rand decides the faults above, retry jitter and which agent answers;
	// nil seeds one at random. Tests pass a seeded one to repeat a run.
	Rand *rand.Rand
}

func (c Config) withDefaults() Config {
	c.OrgID = cmp.Or(c.OrgID, DefaultOrgID)
	c.ClientID = cmp.Or(c.ClientID, DefaultClientID)
	c.ClientSecret = cmp.Or(c.ClientSecret, DefaultClientSecret)
	c.APIKey = cmp.Or(c.APIKey, DefaultAPIKey)
	c.AgentDelay = cmp.Or(c.AgentDelay, DefaultAgentDelay)
	c.SessionMaxLife = cmp.Or(c.SessionMaxLife, DefaultSessionMaxLife)
	c.TokenTTL = cmp.Or(c.TokenTTL, DefaultTokenTTL)
	c.RetryFor = cmp.Or(c.RetryFor, DefaultRetryFor)
	c.RetryBaseDelay = cmp.Or(c.RetryBaseDelay, DefaultRetryBaseDelay)
	c.RetryMaxDelay = cmp.Or(c.RetryMaxDelay, DefaultRetryMaxDelay)
	c.AttemptTimeout = cmp.Or(c.AttemptTimeout, DefaultAttemptTimeout)
	c.DeliveryWorkers = cmp.Or(c.DeliveryWorkers, DefaultDeliveryWorkers)
	c.KeepEnded = cmp.Or(c.KeepEnded, DefaultKeepEnded)
	c.MaxEnded = cmp.Or(c.MaxEnded, DefaultMaxEnded)
	c.TranscriptCap = cmp.Or(c.TranscriptCap, DefaultTranscriptCap)
	c.BacklogLimit = cmp.Or(c.BacklogLimit, DefaultBacklogLimit)
	c.ErrorStatus = cmp.Or(c.ErrorStatus, DefaultErrorStatus)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// validate names the first field that is wrong; it runs after withDefaults.
func (c Config) validate() error {
	u, err := url.Parse(c.CallbackURL)
	switch {
	case c.CallbackURL == "":
		return errors.New("CallbackURL is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("CallbackURL %q must be an absolute http or https URL", c.CallbackURL)
	case c.SigningKey == nil:
		return errors.New("SigningKey is required")
	}
	if err := c.SigningKey.Validate(); err != nil {
		return fmt.Errorf("SigningKey: %w", err)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"ErrorRate", c.ErrorRate}, {"DuplicateRate", c.DuplicateRate}, {"ReorderRate", c.ReorderRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return fmt.Errorf("%s %v must be between 0 and 1", r.name, r.v)
		}
	}
	if math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) || c.RateLimit < 0 {
		return fmt.Errorf("RateLimit %v must be 0 (unlimited) or a positive number", c.RateLimit)
	}
	if c.ErrorStatus != http.StatusInternalServerError && c.ErrorStatus != http.StatusTooManyRequests {
		return fmt.Errorf("ErrorStatus %d must be 500 or 429", c.ErrorStatus)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"AgentDelay", c.AgentDelay}, {"SessionMaxLife", c.SessionMaxLife}, {"TokenTTL", c.TokenTTL},
		{"RetryFor", c.RetryFor}, {"RetryBaseDelay", c.RetryBaseDelay}, {"RetryMaxDelay", c.RetryMaxDelay},
		{"AttemptTimeout", c.AttemptTimeout}, {"KeepEnded", c.KeepEnded}, {"CallbackLatency", c.CallbackLatency},
	} {
		if d.v < 0 {
			return fmt.Errorf("%s %s must not be negative", d.name, d.v)
		}
	}
	if c.RetryMaxDelay < c.RetryBaseDelay {
		return fmt.Errorf("RetryMaxDelay %s is shorter than RetryBaseDelay %s", c.RetryMaxDelay, c.RetryBaseDelay)
	}
	if c.DeliveryWorkers < 0 {
		return fmt.Errorf("DeliveryWorkers %d must not be negative", c.DeliveryWorkers)
	}
	if c.MaxEnded < 0 {
		return fmt.Errorf("MaxEnded %d must not be negative", c.MaxEnded)
	}
	if c.TranscriptCap < 0 {
		return fmt.Errorf("TranscriptCap %d must not be negative", c.TranscriptCap)
	}
	if c.BacklogLimit < 0 {
		return fmt.Errorf("BacklogLimit %d must not be negative", c.BacklogLimit)
	}
	return nil
}
