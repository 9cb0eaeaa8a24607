package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
)

// secondKey signs the second simulator's callbacks: not the embedded
// simulator's key, nor testkit's, which plays a stranger's.
var secondKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// The secrets of the second tenant: no page, export, audit entry or log
// line may show them.
const (
	tenantSecret = "tenant-b-client-secret-3f9a"
	tenantAPIKey = "tenant-b-api-key-77c1"
	wrongSecret  = "tenant-b-wrong-secret-0d2e"
)

// secondTenant runs a simulator that plays another Alvaria organization,
// delivering its callbacks to the console's path for the connection slug.
func secondTenant(t *testing.T, consoleURL, slug string) *simtest.Server {
	t.Helper()
	return simtest.Start(t, simulator.Config{
		OrgID: "tenant-b", ClientSecret: tenantSecret, APIKey: tenantAPIKey, SigningKey: secondKey(),
		CallbackURL: consoleURL + "/webhooks/server-messaging/" + slug, AgentDelay: 50 * time.Millisecond,
	})
}

// signedCallback is a callback body with a token from key, as Alvaria signs
// them.
func signedCallback(t *testing.T, key *rsa.PrivateKey, sessionID, eventID string) (string, []byte) {
	t.Helper()
	now := time.Now()
	tok, err := alvaria.SignCallbackToken(key, alvaria.CallbackClaims{EventID: eventID, RegisteredClaims: jwt.RegisteredClaims{
		Subject: sessionID, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"sessionId":"` + sessionID + `","event":"AGENT_JOINED","agentAlias":"Mallory","eventId":"` + eventID + `"}`)
	return "Bearer " + tok, body
}

func postCallback(t *testing.T, target, auth string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	code, _ := testkit.Do(t, req)
	return code
}

var alvariaIDOnPage = regexp.MustCompile(`<dt>Session ID</dt><dd class="mono">([^<]+)</dd>`)

// startOn starts a session on the connection slug through the form and
// waits until the agent has joined, as its page shows; it returns the
// session's id and Alvaria's.
func startOn(t *testing.T, admin *testkit.Client, slug, contact string) (string, string) {
	t.Helper()
	code, loc := admin.Post(t, "/sessions", url.Values{"connection": {slug}, "work_type_id": {"32"}, "contact_name": {contact}, "integration": {"Parley"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("start on %s = %d %q", slug, code, loc)
	}
	var page string
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		_, page = admin.Get(t, loc)
		return strings.Contains(page, `id="session-state">Connected<`)
	}, contact+"'s session connected")
	m := alvariaIDOnPage.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no Alvaria session id on %s", loc)
	}
	return strings.TrimPrefix(loc, "/sessions/"), m[1]
}

func TestTwoConnectionsEachTakeOnlyTheirOwnCallbacks(t *testing.T) {
	srv := startConsole(t, nil)
	admin := srv.admin(t)
	simB := secondTenant(t, srv.URL, "tenant-b")
	form := url.Values{
		"name": {"Tenant B"}, "api_url": {simB.URL}, "token_url": {simB.URL + simulator.TokenPath}, "org_id": {"tenant-b"},
		"client_id": {simulator.DefaultClientID}, "client_secret": {wrongSecret}, "api_key": {tenantAPIKey},
		"callback_keys": {pemOf(t, &secondKey().PublicKey)},
	}
	if code, loc := admin.Post(t, "/admin/connections", form); code != http.StatusSeeOther || loc != "/admin/connections/tenant-b?done=created" {
		t.Fatalf("add the connection = %d %q", code, loc)
	}

	// A wrong secret is named as such by Test connection.
	_, page := admin.Post(t, "/admin/connections/tenant-b/test", nil)
	if !strings.Contains(page, "Connection test failed") || !strings.Contains(page, "the token service answered 401 invalid_client: the client id or client secret is wrong") {
		t.Fatalf("test with a wrong secret:\n%s", page)
	}
	form.Set("client_secret", tenantSecret)
	if code, _ := admin.Post(t, "/admin/connections/tenant-b", form); code != http.StatusSeeOther {
		t.Fatalf("save the right secret = %d", code)
	}
	if _, page = admin.Post(t, "/admin/connections/tenant-b/test", nil); !strings.Contains(page, "Connection works") {
		t.Fatalf("test with the right secret:\n%s", page)
	}

	// Sessions on both at once, each with its own simulator and key.
	simSession, simAlvaria := startOn(t, admin, "simulator", "Ada on the simulator")
	bSession, bAlvaria := startOn(t, admin, "tenant-b", "Bea on tenant B")
	if _, page = admin.Get(t, "/sessions/"+bSession); !strings.Contains(page, "<dd>Tenant B</dd>") {
		t.Fatal("B's session page does not name its connection")
	}

	// Each path takes only its own connection's keys and sessions.
	auth, body := signedCallback(t, secondKey(), bAlvaria, "forged-on-old-path")
	if code := postCallback(t, srv.URL+"/webhooks/server-messaging", auth, body); code != http.StatusUnauthorized {
		t.Errorf("B's callback on the simulator's path = %d, want 401", code)
	}
	auth, body = signedCallback(t, secondKey(), simAlvaria, "b-about-a")
	if code := postCallback(t, srv.URL+"/webhooks/server-messaging/tenant-b", auth, body); code != http.StatusUnauthorized {
		t.Errorf("B's key about the simulator's session on B's path = %d, want 401", code)
	}
	auth, body = signedCallback(t, testkit.RSAKey(t), bAlvaria, "stranger")
	if code := postCallback(t, srv.URL+"/webhooks/server-messaging/tenant-b", auth, body); code != http.StatusUnauthorized {
		t.Errorf("a stranger's key on B's path = %d, want 401", code)
	}
	if code := postCallback(t, srv.URL+"/webhooks/server-messaging/nobody", auth, body); code != http.StatusNotFound {
		t.Errorf("a path of no connection = %d, want 404", code)
	}
	for _, id := range []string{simSession, bSession} {
		if _, page := admin.Get(t, "/sessions/"+id); strings.Contains(page, "Mallory") {
			t.Errorf("a refused callback reached session %s", id)
		}
	}

	// The diagnostics show what came and why some were refused.
	_, page = admin.Get(t, "/admin/connections/tenant-b")
	for _, want := range []string{"NEW_SESSION", "AGENT_JOINED", ">accepted<", ">wrong path<", ">unknown key<", `id="last-accepted"`} {
		if !strings.Contains(page, want) {
			t.Errorf("B's diagnostics lack %q", want)
		}
	}
	if _, page = admin.Get(t, "/admin/connections/simulator"); !strings.Contains(page, ">wrong path<") {
		t.Error("the simulator's diagnostics do not show B's callback on its path")
	}

	// The list filters by connection, and the export names it.
	if _, page = admin.Get(t, "/?connection=tenant-b"); !strings.Contains(page, "Bea on tenant B") || strings.Contains(page, "Ada on the simulator") {
		t.Error("the list filtered to tenant B shows the wrong sessions")
	}
	if _, csv := admin.Get(t, "/sessions.csv"); !strings.Contains(csv, "Tenant B") || !strings.Contains(csv, "Simulator (built in)") {
		t.Errorf("the export does not name the connections:\n%s", csv)
	}

	// A disabled connection is not offered, and its sessions stop at once.
	admin.Post(t, "/admin/connections/tenant-b/disable", nil)
	if _, page = admin.Get(t, "/sessions/new"); strings.Contains(page, `value="tenant-b"`) {
		t.Error("the start form offers a disabled connection")
	}
	if code, _ := admin.Post(t, "/sessions/"+bSession+"/messages", url.Values{"text": {"still there?"}}); code != http.StatusConflict {
		t.Errorf("send on a disabled connection = %d, want 409", code)
	}

	// No secret anywhere: pages, exports, the audit trail, the log.
	var seen strings.Builder
	for _, path := range []string{"/", "/sessions/new", "/admin/connections", "/admin/connections/tenant-b", "/admin/connections/simulator",
		"/sessions/" + bSession, "/sessions/" + bSession + "/transcript.json", "/sessions/" + bSession + "/transcript.csv", "/sessions.csv",
		"/admin/audit", "/admin/audit.csv"} {
		_, body := admin.Get(t, path)
		seen.WriteString(body)
	}
	if !strings.Contains(seen.String(), "connection-create") || !strings.Contains(seen.String(), "client secret replaced") {
		t.Error("the audit trail does not record the connection changes")
	}
	seen.WriteString(srv.log.String())
	for _, secret := range []string{tenantSecret, tenantAPIKey, wrongSecret} {
		if strings.Contains(seen.String(), secret) {
			t.Errorf("the secret %q shows on a page, in an export, the audit trail or the log", secret)
		}
	}
}

func TestKeyRotationThroughTheConsole(t *testing.T) {
	srv := startConsole(t, nil)
	admin := srv.admin(t)
	simB := secondTenant(t, srv.URL, "tenant-b")
	next := testkit.RSAKey(t)
	form := url.Values{
		"name": {"Tenant B"}, "api_url": {simB.URL}, "token_url": {simB.URL + simulator.TokenPath}, "org_id": {"tenant-b"},
		"client_id": {simulator.DefaultClientID}, "client_secret": {tenantSecret}, "api_key": {tenantAPIKey},
		"callback_keys": {pemOf(t, &secondKey().PublicKey)},
	}
	admin.Post(t, "/admin/connections", form)
	_, bAlvaria := startOn(t, admin, "tenant-b", "Bea")
	post := func(key *rsa.PrivateKey, event string) int {
		auth, body := signedCallback(t, key, bAlvaria, event)
		return postCallback(t, srv.URL+"/webhooks/server-messaging/tenant-b", auth, body)
	}
	if code := post(next, "next-1"); code != http.StatusUnauthorized {
		t.Fatalf("the next key before it is listed = %d", code)
	}
	// Both listed while Alvaria rotates.
	form.Del("client_secret")
	form.Del("api_key")
	form.Set("callback_keys", pemOf(t, &secondKey().PublicKey)+pemOf(t, &next.PublicKey))
	if code, _ := admin.Post(t, "/admin/connections/tenant-b", form); code != http.StatusSeeOther {
		t.Fatalf("list both keys = %d", code)
	}
	if a, b := post(secondKey(), "old-2"), post(next, "next-2"); a != http.StatusOK || b != http.StatusOK {
		t.Fatalf("with both keys listed: old %d, new %d", a, b)
	}
	// The old one removed.
	form.Set("callback_keys", pemOf(t, &next.PublicKey))
	admin.Post(t, "/admin/connections/tenant-b", form)
	if a, b := post(secondKey(), "old-3"), post(next, "next-3"); a != http.StatusUnauthorized || b != http.StatusOK {
		t.Fatalf("with the old key removed: old %d, new %d", a, b)
	}
	// The kept secrets still work.
	if _, page := admin.Post(t, "/admin/connections/tenant-b/test", nil); !strings.Contains(page, "Connection works") {
		t.Fatal("the secrets were not kept across the key changes")
	}
}

func pemOf(t *testing.T, k *rsa.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
