package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-dev/parley/metrics"
)

// observeConfig is where operators look in: metrics and profiles.
type observeConfig struct {
	// MetricsAddr, when set, serves /metrics there to anyone instead of on
	// the console to admins.
	MetricsAddr string
	// DebugAddr, when set, serves net/http/pprof there.
	DebugAddr        string
	DebugAllowRemote bool
}

func (o *observeConfig) register(s *settings) {
	s.String(&o.MetricsAddr, "metrics-addr", "PARLEY_METRICS_ADDR", "", "serve Prometheus /metrics to anyone on this address; empty serves it on the console to signed-in admins only")
	s.String(&o.DebugAddr, "debug-addr", "PARLEY_DEBUG_ADDR", "", "serve Go's pprof profiles under /debug/pprof/ on this loopback address; empty serves none")
	s.Bool(&o.DebugAllowRemote, "debug-allow-remote", "PARLEY_DEBUG_ALLOW_REMOTE", false, "allow PARLEY_DEBUG_ADDR to be other than loopback")
}

func (o observeConfig) validate() error {
	if o.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(o.MetricsAddr); err != nil {
			return fmt.Errorf("PARLEY_METRICS_ADDR %q is not a listen address like :9100 or 127.0.0.1:9100", o.MetricsAddr)
		}
	}
	if o.DebugAddr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(o.DebugAddr)
	if err != nil {
		return fmt.Errorf("PARLEY_DEBUG_ADDR %q is not a listen address like 127.0.0.1:6060", o.DebugAddr)
	}
	if !o.DebugAllowRemote && !isLoopback(host) {
		// Profiles reveal memory contents and a CPU profile slows the
		// server, so reaching them from elsewhere is a choice to make
		// knowingly.
		return fmt.Errorf("PARLEY_DEBUG_ADDR %q is not a loopback address: profiles show what is in memory; use 127.0.0.1, or set PARLEY_DEBUG_ALLOW_REMOTE=true to serve them there anyway", o.DebugAddr)
	}
	return nil
}

// isLoopback is true for localhost and loopback IPs; an empty host means
// every interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// observer is what the console tells the operator: its metrics, and the
// listeners that serve them and profiles apart from the console.
type observer struct {
	metrics *metrics.Metrics
	// page is /metrics for the console's admins; nil when it has its own
	// listener.
	page http.Handler
	side []sideListener
}

type sideListener struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

// newObserver builds the metrics on a registry of its own and binds the
// metrics and debug listeners that are set; serve starts them.
func newObserver(o observeConfig, log *slog.Logger) (*observer, error) {
	reg := prometheus.NewRegistry()
	obs := &observer{metrics: metrics.New(reg)}
	page := metrics.Handler(reg)
	if o.MetricsAddr == "" {
		obs.page = page
	} else {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", page)
		if err := obs.listen("metrics", "PARLEY_METRICS_ADDR", o.MetricsAddr, mux, log); err != nil {
			return nil, err
		}
	}
	if o.DebugAddr != "" {
		if err := obs.listen("debug", "PARLEY_DEBUG_ADDR", o.DebugAddr, debugHandler(), log); err != nil {
			obs.close()
			return nil, err
		}
	}
	return obs, nil
}

func (obs *observer) listen(name, setting, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s %q: %w", setting, addr, err)
	}
	obs.side = append(obs.side, sideListener{name: name, ln: ln, srv: newHTTPServer(h, log)})
	return nil
}

// serve serves every side listener until ctx ends; one that fails is logged
// and leaves the console serving.
func (obs *observer) serve(ctx context.Context, log *slog.Logger) {
	for _, s := range obs.side {
		log.Info("serving "+s.name, "addr", s.ln.Addr().String())
		go func() {
			if err := serveUntilDone(ctx, s.srv, s.ln, log, nil); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error(s.name+" listener stopped", "err", err)
			}
		}()
	}
}

// close releases listeners that were bound but never served.
func (obs *observer) close() {
	for _, s := range obs.side {
		s.ln.Close()
	}
}

// debugHandler serves pprof on a mux of its own, so nothing else registered
// on http.DefaultServeMux is exposed with it.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
