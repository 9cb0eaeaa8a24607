package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/simulator"
)

// connection is the default connection, from the settings: the ALVARIA_*
// one, or in embedded mode the simulator that plays Alvaria. Builtin hands
// it to the connections service, which builds its client.
type connection struct {
	Name      string // shown in the top bar
	Builtin   connections.Builtin
	Verifier  *alvaria.Verifier
	Simulator *simulator.Simulator // nil when talking to the real Alvaria
	// SimulatorLive carries the simulator's changes to its desk. It is in
	// this process whatever the database: each embedded simulator is its
	// own, and it publishes with its state locked.
	SimulatorLive *live.Hub
}

func (c *connection) Close() {
	if c.Simulator != nil {
		c.Simulator.Close()
	}
}

// newConnection connects to the Alvaria named by the settings, or, with no
// ALVARIA_API_URL, builds the embedded simulator. The simulator is reached
// over real HTTP on Parley's own listener (it is mounted under /sim) and it
// delivers callbacks to the public webhook URL, so the embedded default
// exercises exactly the production path.
func newConnection(ac alvariaConfig, sc simConfig, publicURL string, listen net.Addr, log *slog.Logger) (*connection, error) {
	if !ac.embedded() {
		return realConnection(ac)
	}
	sc, err := sc.withPrivateCredentials()
	if err != nil {
		return nil, err
	}
	key, err := simSigningKey(sc.SigningKeyPath)
	if err != nil {
		return nil, err
	}
	changes := live.NewHub()
	simCfg := sc.simulatorConfig(key, strings.TrimRight(publicURL, "/")+"/webhooks/server-messaging", log.With("component", "simulator"))
	simCfg.Live = changes
	sim, err := simulator.New(simCfg)
	if err != nil {
		return nil, err
	}
	base := "http://" + loopback(listen) + "/sim"
	client := alvaria.Config{
		APIURL:       base,
		TokenURL:     base + "/tokenservice/oauth2/access_token",
		OrgID:        sc.OrgID,
		ClientID:     sc.ClientID,
		ClientSecret: sc.ClientSecret,
		APIKey:       sc.APIKey,
	}
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: sim.PublicKey()})
	if err != nil {
		sim.Close()
		return nil, fmt.Errorf("simulator verifier: %w", err)
	}
	builtin := connections.Builtin{Slug: connections.SimulatorSlug, Name: connections.SimulatorName, Kind: connections.KindSimulator, Client: client, Keys: []*rsa.PublicKey{sim.PublicKey()}}
	return &connection{Name: "simulator", Builtin: builtin, Verifier: verifier, Simulator: sim, SimulatorLive: changes}, nil
}

func realConnection(ac alvariaConfig) (*connection, error) {
	if err := ac.validate(); err != nil {
		return nil, err
	}
	pub, err := alvaria.LoadPublicKeyPEM(ac.CallbackKeyPath)
	if err != nil {
		return nil, fmt.Errorf("ALVARIA_CALLBACK_PUBLIC_KEY: %w", err)
	}
	verifier, err := alvaria.NewVerifier(alvaria.VerifierConfig{
		PublicKey: pub, Issuer: ac.CallbackIssuer, Audience: ac.CallbackAudience, MaxLifetime: ac.CallbackMaxLifetime,
	})
	if err != nil {
		return nil, fmt.Errorf("ALVARIA_CALLBACK_PUBLIC_KEY: %w", err)
	}
	client := alvaria.Config{
		APIURL:       ac.APIURL,
		TokenURL:     ac.TokenURL,
		OrgID:        ac.OrgID,
		ClientID:     ac.ClientID,
		ClientSecret: ac.ClientSecret,
		APIKey:       ac.APIKey,
	}
	// Checked here so that a bad URL stops the start naming its setting.
	if _, err := alvaria.NewClient(client); err != nil {
		return nil, fmt.Errorf("ALVARIA_API_URL: %w", err)
	}
	name := strings.TrimSpace(ac.ConnectionName)
	builtin := connections.Builtin{
		Slug: connections.Slug(name), Name: name, Kind: connections.KindEnvironment, Client: client, Keys: []*rsa.PublicKey{pub},
		Issuer: ac.CallbackIssuer, Audience: ac.CallbackAudience, MaxLifetime: ac.CallbackMaxLifetime,
	}
	return &connection{Name: name, Builtin: builtin, Verifier: verifier}, nil
}

// withPrivateCredentials fills an unset client secret and API key with
// random values. The embedded simulator answers on the console's listener,
// so documented defaults would let anyone who reaches the console talk to it
// as Alvaria's client; random ones leave Parley's own client the only one.
func (c simConfig) withPrivateCredentials() (simConfig, error) {
	for _, v := range []*string{&c.ClientSecret, &c.APIKey} {
		if *v != "" {
			continue
		}
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return c, fmt.Errorf("simulator credentials: %w", err)
		}
		*v = base64.RawURLEncoding.EncodeToString(b)
	}
	return c, nil
}

// simSigningKey loads the simulator's key from path, creating it there if
// missing; with no path the key lives only as long as the process.
func simSigningKey(path string) (*rsa.PrivateKey, error) {
	if path == "" {
		key, err := simulator.GenerateSigningKey()
		if err != nil {
			return nil, fmt.Errorf("simulator signing key: %w", err)
		}
		return key, nil
	}
	key, err := simulator.LoadOrCreateSigningKey(path)
	if err != nil {
		return nil, fmt.Errorf("PARLEY_SIM_SIGNING_KEY: %w", err)
	}
	return key, nil
}

func (c simConfig) simulatorConfig(key *rsa.PrivateKey, callbackURL string, log *slog.Logger) simulator.Config {
	return simulator.Config{
		OrgID:           c.OrgID,
		ClientID:        c.ClientID,
		ClientSecret:    c.ClientSecret,
		APIKey:          c.APIKey,
		WorkTypes:       c.workTypes(),
		AgentDelay:      c.AgentDelay,
		SessionMaxLife:  c.SessionMaxLife,
		TokenTTL:        c.TokenTTL,
		RateLimit:       c.RateLimit,
		CallbackURL:     callbackURL,
		SigningKey:      key,
		HTTPClient:      &http.Client{Timeout: 10 * time.Second},
		Log:             log,
		ErrorRate:       c.ErrorRate,
		ErrorStatus:     c.ErrorStatus,
		CallbackLatency: c.CallbackLatency,
		DuplicateRate:   c.DuplicateRate,
		ReorderRate:     c.ReorderRate,
		TranscriptCap:   c.TranscriptCap,
		KeepEnded:       c.Retention,
		BacklogLimit:    c.BacklogLimit,
	}
}

// loopback turns a bound address into one this process can dial: a server
// listening on all interfaces is reached on 127.0.0.1.
func loopback(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// callbackPortWarning explains, in embedded mode, why sessions would stay
// Pending: the simulator delivers callbacks to the public URL, so when its
// port is not the one Parley listens on they reach something else (unless
// a proxy forwards them). It returns "" when the ports agree.
func callbackPortWarning(publicURL, addr string, bound net.Addr) string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return "" // serveConfig.validate has refused it already
	}
	public := u.Port()
	if public == "" {
		public = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	_, listening, err := net.SplitHostPort(bound.String())
	if err != nil || public == listening {
		return ""
	}
	return fmt.Sprintf("PARLEY_PUBLIC_URL %s is on port %s but PARLEY_ADDR %s listens on port %s: the embedded simulator sends callbacks "+
		"to the public URL, so unless a proxy forwards that port here they will not reach Parley and sessions will stay Pending",
		publicURL, public, addr, listening)
}
