package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/simulator"
)

// simulateConfig holds the settings of `parley simulate`.
type simulateConfig struct {
	Addr         string
	CallbackURL  string
	PublicKeyOut string
	Log          logSettings
	Sim          simConfig
}

func simulateSettings(cfg *simulateConfig) *settings {
	s := newSettings("simulate")
	// Loopback by default: the standalone simulator has documented
	// credentials and no accounts, so it is for this machine unless asked.
	s.String(&cfg.Addr, "addr", "PARLEY_SIM_ADDR", "127.0.0.1:9090", "address the simulator listens on; 0.0.0.0:9090 for every interface")
	s.String(&cfg.CallbackURL, "callback-url", "PARLEY_SIM_CALLBACK_URL", "", "required: where callbacks are POSTed, e.g. http://localhost:8080/webhooks/server-messaging")
	s.String(&cfg.PublicKeyOut, "public-key-out", "PARLEY_SIM_PUBLIC_KEY_OUT", "", "where to write the public key PEM that verifies callbacks (it is also served at /simulator/public-key.pem)")
	cfg.Log.register(s)
	cfg.Sim.register(s)
	return s
}

func (cfg simulateConfig) validate() error {
	if cfg.CallbackURL == "" {
		return errors.New("PARLEY_SIM_CALLBACK_URL is required: the URL the simulator POSTs callbacks to")
	}
	u, err := url.Parse(cfg.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("PARLEY_SIM_CALLBACK_URL %q is not an absolute http or https URL", cfg.CallbackURL)
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return fmt.Errorf("PARLEY_SIM_ADDR %q is not a listen address like 127.0.0.1:9090", cfg.Addr)
	}
	if cfg.Sim.SigningKeyPath == "" {
		return errors.New("PARLEY_SIM_SIGNING_KEY is required: a path for the RSA private key (created there if missing), so receivers can keep trusting it across restarts")
	}
	return cfg.Sim.validate()
}

// runSimulate runs the Alvaria simulator on its own, for testing any custom
// server application, not only Parley.
func runSimulate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg simulateConfig
	log, err := simulateSettings(&cfg).start(args, getenv, stdout, stderr, func() error { return cfg.validate() }, &cfg.Log)
	if err != nil {
		return err
	}
	// The documented credentials, so any application under test can be
	// pointed at the simulator without reading its log.
	cfg.Sim.ClientSecret = cmp.Or(cfg.Sim.ClientSecret, simulator.DefaultClientSecret)
	cfg.Sim.APIKey = cmp.Or(cfg.Sim.APIKey, simulator.DefaultAPIKey)
	key, err := simSigningKey(cfg.Sim.SigningKeyPath)
	if err != nil {
		return err
	}
	// No database here: the desk's pages hear of changes in this process.
	changes := live.NewHub()
	simCfg := cfg.Sim.simulatorConfig(key, cfg.CallbackURL, log)
	simCfg.Live = changes
	sim, err := simulator.New(simCfg)
	if err != nil {
		return err
	}
	defer sim.Close()
	if cfg.PublicKeyOut != "" {
		if err := os.WriteFile(cfg.PublicKeyOut, sim.PublicKeyPEM(), 0o644); err != nil {
			return fmt.Errorf("PARLEY_SIM_PUBLIC_KEY_OUT: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("PARLEY_SIM_ADDR %q: %w", cfg.Addr, err)
	}
	base := "http://" + loopback(ln.Addr())
	log.Info("alvaria simulator is serving",
		"addr", ln.Addr().String(),
		"api_url", base,
		"token_url", base+"/tokenservice/oauth2/access_token",
		"org_id", cfg.Sim.OrgID,
		"callbacks_to", cfg.CallbackURL,
		"public_key", publicKeyWhere(cfg.PublicKeyOut, base),
		"desk", base+"/desk",
		"deliveries", base+"/deliveries")
	deps := handlers.DeskDeps{Log: log, Simulator: sim, Live: changes, Connection: "simulator", Origins: ownOrigins(cfg.Addr, ln.Addr())}
	if onLoopback(cfg.Addr) {
		// Nothing else can reach it, so a request naming another host
		// comes from a browser tricked by DNS rebinding.
		for _, o := range deps.Origins {
			deps.Hosts = append(deps.Hosts, strings.TrimPrefix(o, "http://"))
		}
	}
	h := handlers.NewStandaloneSimulator(sim.Handler(), deps)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	return serveUntilDone(ctx, srv, ln, log, nil)
}

func publicKeyWhere(path, base string) string {
	if path != "" {
		return path
	}
	return base + "/simulator/public-key.pem"
}

// onLoopback reports whether a listen address is for this machine only.
func onLoopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// ownOrigins lists the origins the simulator's pages are served from: the
// configured host on the bound port, and for a loopback or unspecified host
// the names of this machine's loopback and, when listening on every
// interface, its interface addresses. The desk trusts only these, whatever
// Host a request names.
func ownOrigins(configured string, bound net.Addr) []string {
	host, _, _ := net.SplitHostPort(configured)
	_, port, err := net.SplitHostPort(bound.String())
	if err != nil {
		return nil
	}
	hosts := []string{host}
	ip := net.ParseIP(host)
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified()):
		hosts = []string{"localhost", "127.0.0.1", "::1"}
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					hosts = append(hosts, n.IP.String())
				}
			}
		}
	case host == "localhost" || (ip != nil && ip.IsLoopback()):
		hosts = append(hosts, "localhost", "127.0.0.1", "::1")
	}
	var out []string
	for _, h := range hosts {
		if o := "http://" + net.JoinHostPort(h, port); !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
