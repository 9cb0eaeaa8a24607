package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/simulator"
)

// alvariaConfig is the default Alvaria connection. With no API URL, Parley
// runs its embedded simulator instead and these are not needed.
type alvariaConfig struct {
	// ConnectionName names the connection these settings define.
	ConnectionName  string
	APIURL          string
	TokenURL        string
	OrgID           string
	ClientID        string
	ClientSecret    string
	APIKey          string
	CallbackKeyPath string
	// What callback tokens must also say; empty issuer or audience is not
	// checked, since the API document does not name Alvaria's values.
	CallbackIssuer      string
	CallbackAudience    string
	CallbackMaxLifetime time.Duration
}

func (c *alvariaConfig) register(s *settings) {
	s.String(&c.ConnectionName, "alvaria-connection-name", "ALVARIA_CONNECTION_NAME", "default", "name of the read-only connection the ALVARIA_* settings define")
	s.String(&c.APIURL, "alvaria-api-url", "ALVARIA_API_URL", "", "Alvaria API base URL, e.g. https://myorg.via.aspect-cloud.net; empty runs the embedded simulator")
	s.String(&c.TokenURL, "alvaria-token-url", "ALVARIA_TOKEN_URL", "", "OAuth2 token URL, e.g. https://myaspect.us1.id.aspect-cloud.net/tokenservice/oauth2/access_token")
	s.String(&c.OrgID, "alvaria-org-id", "ALVARIA_ORG_ID", "", "Alvaria organization id")
	s.String(&c.ClientID, "alvaria-client-id", "ALVARIA_CLIENT_ID", "", "OAuth2 client id")
	s.String(&c.ClientSecret, "alvaria-client-secret", "ALVARIA_CLIENT_SECRET", "", "OAuth2 client secret")
	s.String(&c.APIKey, "alvaria-api-key", "ALVARIA_API_KEY", "", "x-api-key issued by Alvaria")
	s.String(&c.CallbackKeyPath, "alvaria-callback-public-key", "ALVARIA_CALLBACK_PUBLIC_KEY", "", "path of the PEM public key that verifies callback JWTs")
	s.String(&c.CallbackIssuer, "alvaria-callback-issuer", "ALVARIA_CALLBACK_ISSUER", "", "iss that callback JWTs must carry; empty does not check it")
	s.String(&c.CallbackAudience, "alvaria-callback-audience", "ALVARIA_CALLBACK_AUDIENCE", "", "aud that callback JWTs must carry; empty does not check it")
	s.Duration(&c.CallbackMaxLifetime, "alvaria-callback-max-token-lifetime", "ALVARIA_CALLBACK_MAX_TOKEN_LIFETIME", alvaria.DefaultMaxTokenLifetime, "longest validity (exp minus iat) a callback JWT may have")
}

// embedded reports whether Parley should run its own simulator.
func (c alvariaConfig) embedded() bool { return c.APIURL == "" }

func (c alvariaConfig) validate() error {
	if c.embedded() {
		return nil
	}
	var missing []string
	for _, f := range []struct{ env, v string }{
		{"ALVARIA_TOKEN_URL", c.TokenURL}, {"ALVARIA_ORG_ID", c.OrgID}, {"ALVARIA_CLIENT_ID", c.ClientID},
		{"ALVARIA_CLIENT_SECRET", c.ClientSecret}, {"ALVARIA_API_KEY", c.APIKey}, {"ALVARIA_CALLBACK_PUBLIC_KEY", c.CallbackKeyPath},
	} {
		if f.v == "" {
			missing = append(missing, f.env)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("ALVARIA_API_URL is set, so %s must be set too", strings.Join(missing, ", "))
	}
	if strings.TrimSpace(c.ConnectionName) == "" || len(c.ConnectionName) > 100 {
		return fmt.Errorf("ALVARIA_CONNECTION_NAME %q: give a name of 1 to 100 characters", c.ConnectionName)
	}
	if c.CallbackMaxLifetime <= 0 {
		return fmt.Errorf("ALVARIA_CALLBACK_MAX_TOKEN_LIFETIME %s: use a positive duration such as 1h", c.CallbackMaxLifetime)
	}
	return nil
}

// simConfig holds the simulator settings shared by `parley serve` (embedded)
// and `parley simulate` (standalone).
type simConfig struct {
	OrgID           string
	ClientID        string
	ClientSecret    string
	APIKey          string
	WorkTypes       string
	AgentDelay      time.Duration
	SessionMaxLife  time.Duration
	TokenTTL        time.Duration
	RateLimit       float64
	SigningKeyPath  string
	ErrorRate       float64
	ErrorStatus     int
	CallbackLatency time.Duration
	DuplicateRate   float64
	ReorderRate     float64
	TranscriptCap   int
	Retention       time.Duration
	BacklogLimit    int
}

func (c *simConfig) register(s *settings) {
	s.String(&c.OrgID, "sim-org-id", "PARLEY_SIM_ORG_ID", "demo", "simulator: organization id")
	s.String(&c.ClientID, "sim-client-id", "PARLEY_SIM_CLIENT_ID", "parley", "simulator: OAuth2 client id it accepts")
	// Empty secrets differ by command: serve makes random ones, so only its
	// own client can use the simulator on the console's listener; simulate
	// keeps the documented ones, for the application under test.
	s.String(&c.ClientSecret, "sim-client-secret", "PARLEY_SIM_CLIENT_SECRET", "", "simulator: OAuth2 client secret it accepts; empty: random at each start in serve, parley-secret in simulate")
	s.String(&c.APIKey, "sim-api-key", "PARLEY_SIM_API_KEY", "", "simulator: x-api-key it accepts; empty: random at each start in serve, parley-api-key in simulate")
	s.String(&c.WorkTypes, "sim-work-types", "PARLEY_SIM_WORK_TYPES", "", "simulator: comma-separated work type ids it accepts; empty accepts all")
	s.Duration(&c.AgentDelay, "sim-agent-delay", "PARLEY_SIM_AGENT_DELAY", time.Second, "simulator: time before the agent joins and between replies")
	s.Duration(&c.SessionMaxLife, "sim-session-max-life", "PARLEY_SIM_SESSION_MAX_LIFE", 4*time.Hour, "simulator: when the system ends a session")
	s.Duration(&c.TokenTTL, "sim-token-ttl", "PARLEY_SIM_TOKEN_TTL", 3599*time.Second, "simulator: access token lifetime")
	s.Float(&c.RateLimit, "sim-rate-limit", "PARLEY_SIM_RATE_LIMIT", 0, "simulator: requests per second per API key before 429; 0 is unlimited")
	s.String(&c.SigningKeyPath, "sim-signing-key", "PARLEY_SIM_SIGNING_KEY", "", "simulator: RSA private key PEM that signs callbacks; created if missing; empty makes a new key each start (embedded only)")
	s.Float(&c.ErrorRate, "sim-error-rate", "PARLEY_SIM_ERROR_RATE", 0, "simulator fault: share of API calls (0 to 1) answered with PARLEY_SIM_ERROR_STATUS")
	s.Int(&c.ErrorStatus, "sim-error-status", "PARLEY_SIM_ERROR_STATUS", 500, "simulator fault: status of injected API errors, 500 or 429")
	s.Duration(&c.CallbackLatency, "sim-callback-latency", "PARLEY_SIM_CALLBACK_LATENCY", 0, "simulator fault: delay before each callback delivery")
	s.Float(&c.DuplicateRate, "sim-duplicate-rate", "PARLEY_SIM_DUPLICATE_RATE", 0, "simulator fault: share of callbacks (0 to 1) delivered twice")
	s.Float(&c.ReorderRate, "sim-reorder-rate", "PARLEY_SIM_REORDER_RATE", 0, "simulator fault: share of callbacks (0 to 1) held back and delivered after the next one")
	s.Int(&c.TranscriptCap, "sim-transcript-cap", "PARLEY_SIM_TRANSCRIPT_CAP", simulator.DefaultTranscriptCap, "simulator: lines each session's transcript keeps; older ones are dropped and counted")
	s.Duration(&c.Retention, "sim-retention", "PARLEY_SIM_RETENTION", simulator.DefaultKeepEnded, "simulator: how long an ended session is remembered; after it, calls about it get 404")
	s.Int(&c.BacklogLimit, "sim-backlog-limit", "PARLEY_SIM_BACKLOG_LIMIT", simulator.DefaultBacklogLimit, "simulator: callbacks waiting for delivery before create session and send message answer 429")
}

func (c simConfig) validate() error {
	for _, r := range []struct {
		env string
		v   float64
	}{{"PARLEY_SIM_ERROR_RATE", c.ErrorRate}, {"PARLEY_SIM_DUPLICATE_RATE", c.DuplicateRate}, {"PARLEY_SIM_REORDER_RATE", c.ReorderRate}} {
		if r.v < 0 || r.v > 1 {
			return fmt.Errorf("%s %v: use a share from 0 to 1", r.env, r.v)
		}
	}
	if c.ErrorStatus != 500 && c.ErrorStatus != 429 {
		return fmt.Errorf("PARLEY_SIM_ERROR_STATUS %d: use 500 or 429", c.ErrorStatus)
	}
	if c.RateLimit < 0 {
		return fmt.Errorf("PARLEY_SIM_RATE_LIMIT %v: use 0 (unlimited) or more", c.RateLimit)
	}
	if c.SessionMaxLife <= 0 || c.AgentDelay <= 0 || c.TokenTTL <= 0 {
		return fmt.Errorf("PARLEY_SIM_SESSION_MAX_LIFE, PARLEY_SIM_AGENT_DELAY and PARLEY_SIM_TOKEN_TTL must be positive durations")
	}
	// Zero would mean the simulator's default, not "none", so it is refused
	// rather than quietly read as 1000 or 10000.
	if c.TranscriptCap < 1 {
		return fmt.Errorf("PARLEY_SIM_TRANSCRIPT_CAP %d: use a number of lines of 1 or more, such as %d", c.TranscriptCap, simulator.DefaultTranscriptCap)
	}
	if c.Retention <= 0 {
		return fmt.Errorf("PARLEY_SIM_RETENTION %s: use a positive duration such as 1h", c.Retention)
	}
	if c.BacklogLimit < 1 {
		return fmt.Errorf("PARLEY_SIM_BACKLOG_LIMIT %d: use a number of callbacks of 1 or more, such as %d", c.BacklogLimit, simulator.DefaultBacklogLimit)
	}
	return nil
}

func (c simConfig) workTypes() []string {
	var out []string
	for _, w := range strings.Split(c.WorkTypes, ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}
