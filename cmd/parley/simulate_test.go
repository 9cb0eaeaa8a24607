package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator/simtest"
)

// startSimulate runs `parley simulate` with args on a free loopback port
// until the test ends, and returns its base URL once it serves.
func startSimulate(t *testing.T, args ...string) string {
	t.Helper()
	addr := testkit.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"simulate", "--addr", addr}, args...), envMap(nil), io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("simulate: %v", err)
		}
	})
	base := "http://" + addr
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		resp, err := http.Get(base + "/desk")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, "parley simulate to serve")
	return base
}

func TestSimulateStandalone(t *testing.T) {
	dir := t.TempDir()
	keyPath, pubPath := filepath.Join(dir, "sim-key.pem"), filepath.Join(dir, "sim-public.pem")

	var mu sync.Mutex
	var events []string
	var verifier *alvaria.Verifier
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if verifier == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if _, err := verifier.Verify(r.Header.Get("Authorization")); err != nil {
			t.Errorf("callback JWT: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		cb, err := alvaria.ParseCallback(body)
		if err != nil {
			t.Errorf("callback body: %v", err)
		} else {
			events = append(events, cb.CallbackEvent())
		}
	}))
	t.Cleanup(receiver.Close)

	base := startSimulate(t, "--callback-url", receiver.URL, "--sim-signing-key", keyPath,
		"--public-key-out", pubPath, "--sim-agent-delay", "10ms")
	pub, err := alvaria.LoadPublicKeyPEM(pubPath)
	if err != nil {
		t.Fatalf("public key written to PARLEY_SIM_PUBLIC_KEY_OUT: %v", err)
	}
	if _, err := os.Stat(keyPath); err != nil {
		t.Fatalf("signing key not created: %v", err)
	}
	v, err := alvaria.NewVerifier(alvaria.VerifierConfig{PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	verifier = v
	mu.Unlock()

	client := simtest.Client(t, base, nil)
	if _, err := client.CreateSession(t.Context(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(events, ","), "NEW_SESSION,AGENT_JOINED,MESSAGE")
	}, "the callbacks of a new session")
}

func TestSimulateNeedsACallbackURL(t *testing.T) {
	err := run(t.Context(), []string{"simulate"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PARLEY_SIM_CALLBACK_URL") {
		t.Fatalf("got %v", err)
	}
}

func TestSimulateServesTheDeskToItsOwnPagesOnly(t *testing.T) {
	base := startSimulate(t, "--callback-url", "http://127.0.0.1:1/callbacks", "--sim-signing-key", filepath.Join(t.TempDir(), "key.pem"))
	for _, origin := range []string{"http://evil.example", ""} {
		req, _ := http.NewRequest(http.MethodPost, base+"/deliveries/pause", strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if code, _ := testkit.Do(t, req); code != http.StatusForbidden {
			t.Errorf("pause from origin %q = %d, want 403", origin, code)
		}
	}
	// The deliveries page hears of the pause through the broker simulate
	// gives the simulator.
	wctx, wcancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer wcancel()
	ws, _, err := websocket.Dial(wctx, "ws://"+strings.TrimPrefix(base, "http://")+"/deliveries/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if _, first, err := ws.Read(wctx); err != nil || !strings.Contains(string(first), "Pause delivery") {
		t.Fatalf("first update: %v %s", err, first)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/deliveries/pause", strings.NewReader(""))
	req.Header.Set("Origin", base)
	req.Header.Set("X-Parley-Async", "1")
	if code, _ := testkit.Do(t, req); code != http.StatusOK {
		t.Errorf("pause from its own page = %d", code)
	}
	if _, next, err := ws.Read(wctx); err != nil || !strings.Contains(string(next), "Delivery paused") {
		t.Errorf("after the pause, the page got: %v %s", err, next)
	}
	if code, _ := testkit.Get(t, base+"/static/parley.css"); code != http.StatusOK {
		t.Errorf("the desk's stylesheet = %d", code)
	}
}

func TestSimulateListensOnLoopbackByDefault(t *testing.T) {
	var cfg simulateConfig
	if err := simulateSettings(&cfg).parse(nil, envMap(nil), io.Discard); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9090" {
		t.Fatalf("default PARLEY_SIM_ADDR = %q, want 127.0.0.1:9090 so that only this machine reaches the simulator", cfg.Addr)
	}
}

// A page on another site whose name was rebound to 127.0.0.1 sends its own
// name as Host and Origin, and the browser calls that same-origin: none of
// that is the simulator's address, so its actions are refused.
func TestSimulateDeskRefusesARebindingSite(t *testing.T) {
	base := startSimulate(t, "--callback-url", "http://127.0.0.1:1/callbacks", "--sim-signing-key", filepath.Join(t.TempDir(), "key.pem"))
	addr := strings.TrimPrefix(base, "http://")
	_, port, _ := strings.Cut(addr, ":")
	pause := func(host string, headers map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/deliveries/pause", strings.NewReader(""))
		req.Header.Set("X-Parley-Async", "1")
		req.Host = host
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		code, _ := testkit.Do(t, req)
		return code
	}
	rebound := "evil.example:" + port
	for name, headers := range map[string]map[string]string{
		"Origin of the rebound name":    {"Origin": "http://" + rebound},
		"same-origin by the browser":    {"Sec-Fetch-Site": "same-origin"},
		"both":                          {"Origin": "http://" + rebound, "Sec-Fetch-Site": "same-origin"},
		"https Origin of the same name": {"Origin": "https://" + rebound},
	} {
		if code := pause(rebound, headers); code != http.StatusForbidden && code != http.StatusMisdirectedRequest {
			t.Errorf("%s: pause = %d, want 403 or 421", name, code)
		}
		if _, cross := headers["Origin"]; !cross {
			continue
		}
		if code := pause(addr, headers); code != http.StatusForbidden {
			t.Errorf("%s, posted to the simulator's own address: pause = %d, want 403", name, code)
		}
	}
	for _, own := range []string{"http://" + addr, "http://localhost:" + port} {
		if code := pause(strings.TrimPrefix(own, "http://"), map[string]string{"Origin": own}); code != http.StatusOK {
			t.Errorf("pause from %s = %d, want 200", own, code)
		}
	}
	// Listening on loopback, the simulator serves only requests that name
	// it: a rebound page can neither read the delivery log's live tokens
	// nor use the documented credentials.
	read := func(host, path string) int {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Host = host
		code, _ := testkit.Do(t, req)
		return code
	}
	for _, path := range []string{"/deliveries", "/simulator/deliveries", "/desk"} {
		if code := read(rebound, path); code != http.StatusMisdirectedRequest {
			t.Errorf("GET %s as %s = %d, want 421", path, rebound, code)
		}
		if code := read(addr, path); code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, code)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/tokenservice/oauth2/access_token",
		strings.NewReader("grant_type=client_credentials&client_id=parley&client_secret=parley-secret"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = rebound
	if code, _ := testkit.Do(t, req); code != http.StatusMisdirectedRequest {
		t.Errorf("token as %s = %d, want 421", rebound, code)
	}
}
