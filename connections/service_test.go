package connections_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/seal"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// keys are made once per test binary: 2048-bit keys are slow under -race.
var keys = sync.OnceValue(func() []*rsa.PrivateKey {
	var out []*rsa.PrivateKey
	for range 3 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		out = append(out, k)
	}
	return out
})

func pemOf(t testing.TB, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// auditLog keeps what would go to the audit trail.
type auditLog struct {
	mu      sync.Mutex
	entries []string
}

func (a *auditLog) Record(_ context.Context, by accounts.Actor, action, target, detail string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, by.Username+" "+action+" "+target+" "+detail)
	return nil
}

func (a *auditLog) all() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return strings.Join(a.entries, "\n")
}

func newBox(t testing.TB) *seal.Box {
	key, _, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newService(t testing.TB, st *store.Store, box *seal.Box, audit *auditLog) *connections.Service {
	t.Helper()
	svc, err := connections.New(t.Context(), connections.Config{Store: st, Box: box, PublicURL: "https://parley.example.com/", Audit: audit})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func simInput(sim *simtest.Server, name string, keyPEMs ...string) connections.Input {
	return connections.Input{
		Name: name, APIURL: sim.URL, TokenURL: sim.URL + simulator.TokenPath, OrgID: simulator.DefaultOrgID,
		ClientID: simulator.DefaultClientID, ClientSecret: simulator.DefaultClientSecret, APIKey: simulator.DefaultAPIKey,
		CallbackKeys: strings.Join(keyPEMs, "\n"), By: accounts.Actor{Username: "root"},
	}
}

func sign(t testing.TB, k *rsa.PrivateKey, exp time.Duration) string {
	t.Helper()
	now := time.Now()
	tok, err := alvaria.SignCallbackToken(k, alvaria.CallbackClaims{RegisteredClaims: jwt.RegisteredClaims{
		IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(now.Add(exp)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

func reason(err error) string {
	var r *connections.Rejection
	if errors.As(err, &r) {
		return r.Reason
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func TestCallbacksVerifiedWithTheirConnectionsKeysOnly(t *testing.T) {
	st := storetest.SQLite(t)
	k := keys()
	simA, simB := simtest.Start(t, simulator.Config{SigningKey: k[0]}), simtest.Start(t, simulator.Config{SigningKey: k[1]})
	svc := newService(t, st, newBox(t), &auditLog{})
	a, err := svc.Create(t.Context(), simInput(simA, "Tenant A", pemOf(t, k[0])))
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Create(t.Context(), simInput(simB, "Tenant B", pemOf(t, k[1])))
	if err != nil {
		t.Fatal(err)
	}
	if a.Slug != "tenant-a" || a.CallbackURL != "https://parley.example.com/webhooks/server-messaging/tenant-a" {
		t.Fatalf("connection A: slug %q, callback URL %q", a.Slug, a.CallbackURL)
	}
	for _, tt := range []struct {
		name, slug, auth, want string
	}{
		{"own key, own path", a.Slug, sign(t, k[0], time.Minute), ""},
		{"B's own", b.Slug, sign(t, k[1], time.Minute), ""},
		{"A's key on B's path", b.Slug, sign(t, k[0], time.Minute), connections.ReasonWrongPath},
		{"a key nobody has", a.Slug, sign(t, k[2], time.Minute), connections.ReasonUnknownKey},
		{"expired", a.Slug, sign(t, k[0], -time.Minute), connections.ReasonExpired},
		{"no token", a.Slug, "", connections.ReasonUnparseable},
		{"not a JWT", a.Slug, "Bearer nope", connections.ReasonUnparseable},
		{"path of no connection", "nobody", sign(t, k[0], time.Minute), connections.ReasonWrongPath},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.VerifyCallback(tt.slug, tt.auth)
			if got := reason(err); got != tt.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.want)
			}
		})
	}

	// A session of A: a body about it signed by B, on B's path, is refused.
	s := store.Session{AlvariaSessionID: "alv-a", ConnectionSlug: a.Slug, Connection: a.Name, State: store.SessionPending}
	if err := st.CreateSession(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	claims, err := svc.VerifyCallback(b.Slug, sign(t, k[1], time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"sessionId":"alv-a","event":"AGENT_JOINED","agentAlias":"Eve","eventId":"e1"}`)
	if got := reason(svc.AdmitCallback(t.Context(), b.Slug, claims, body)); got != connections.ReasonWrongPath {
		t.Fatalf("B's callback about A's session: %q", got)
	}
	if err := svc.AdmitCallback(t.Context(), a.Slug, claims, body); err != nil {
		t.Fatalf("A's callback about A's session: %v", err)
	}
	if err := svc.AdmitCallback(t.Context(), b.Slug, claims, []byte(`{"sessionId":"not-yet-stored","event":"NEW_SESSION","eventId":"e2"}`)); err != nil {
		t.Fatalf("a callback for a session not stored yet: %v", err)
	}

	// Disabled: no client, no callbacks, at once.
	if err := svc.SetDisabled(t.Context(), a.Slug, true, accounts.Actor{Username: "root"}); err != nil {
		t.Fatal(err)
	}
	if got := reason(func() error { _, err := svc.VerifyCallback(a.Slug, sign(t, k[0], time.Minute)); return err }()); got != connections.ReasonDisabled {
		t.Fatalf("callback to a disabled connection: %q", got)
	}
	if _, err := svc.Route(t.Context(), a.Slug); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("route of a disabled connection: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	st := storetest.SQLite(t)
	k := keys()
	sim := simtest.Start(t, simulator.Config{SigningKey: k[0]})
	svc := newService(t, st, newBox(t), &auditLog{})
	c, err := svc.Create(t.Context(), simInput(sim, "Rotating", pemOf(t, k[0])))
	if err != nil {
		t.Fatal(err)
	}
	verifies := func(k *rsa.PrivateKey) string {
		_, err := svc.VerifyCallback(c.Slug, sign(t, k, time.Minute))
		return reason(err)
	}
	if got := verifies(k[1]); got != connections.ReasonUnknownKey {
		t.Fatalf("the next key before it is listed: %q", got)
	}
	in := simInput(sim, "Rotating", pemOf(t, k[0]), pemOf(t, k[1]))
	in.ClientSecret, in.APIKey = "", "" // kept
	if c, err = svc.Update(t.Context(), c.Slug, in); err != nil {
		t.Fatal(err)
	}
	if len(c.Keys) != 2 || verifies(k[0]) != "" || verifies(k[1]) != "" {
		t.Fatalf("both keys listed: %d keys, old %q, new %q", len(c.Keys), verifies(k[0]), verifies(k[1]))
	}
	in.CallbackKeys = pemOf(t, k[1])
	if _, err = svc.Update(t.Context(), c.Slug, in); err != nil {
		t.Fatal(err)
	}
	if verifies(k[0]) != connections.ReasonUnknownKey || verifies(k[1]) != "" {
		t.Fatalf("old key removed: old %q, new %q", verifies(k[0]), verifies(k[1]))
	}
	// The secrets were kept: the client still gets tokens.
	res, err := svc.Test(t.Context(), c.Slug, accounts.Actor{Username: "root"})
	if err != nil || !res.OK {
		t.Fatalf("test after the update: %+v, %v", res, err)
	}
}

func TestTestConnectionSaysWhatFailed(t *testing.T) {
	st := storetest.SQLite(t)
	k := keys()
	sim := simtest.Start(t, simulator.Config{SigningKey: k[0]})
	audit := &auditLog{}
	svc := newService(t, st, newBox(t), audit)
	tlsSrv := httptest.NewTLSServer(sim.Handler())
	t.Cleanup(tlsSrv.Close)
	for _, tt := range []struct {
		name   string
		change func(*connections.Input)
		want   string // in the summary; "" for a pass
	}{
		{"right", func(*connections.Input) {}, ""},
		{"wrong secret", func(in *connections.Input) { in.ClientSecret = "wrong-secret-value" }, "Token: the token service answered 401 invalid_client: the client id or client secret is wrong"},
		{"wrong API key", func(in *connections.Input) { in.APIKey = "wrong-api-key-value" }, "API: the API answered 401"},
		{"wrong organization", func(in *connections.Input) { in.OrgID = "nobody" }, `the organization "nobody" does not exist`},
		{"unknown host", func(in *connections.Input) {
			in.TokenURL = "https://myaspect.zz9.id.invalid/tokenservice/oauth2/access_token"
		}, "DNS: the host myaspect.zz9.id.invalid does not resolve"},
		{"untrusted certificate", func(in *connections.Input) { in.TokenURL = tlsSrv.URL + simulator.TokenPath }, "TLS: the token service's certificate is signed by an authority this machine does not trust"},
		{"nothing listening", func(in *connections.Input) { in.TokenURL = "http://127.0.0.1:1/token" }, "cannot connect to the token service at 127.0.0.1:1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := simInput(sim, "Test "+tt.name, pemOf(t, k[0]))
			tt.change(&in)
			c, err := svc.Create(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := svc.Test(t.Context(), c.Slug, accounts.Actor{Username: "root"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if !res.OK {
					t.Fatalf("failed: %s", res.Summary())
				}
				return
			}
			if res.OK || !strings.Contains(res.Summary(), tt.want) {
				t.Fatalf("summary %q, want %q", res.Summary(), tt.want)
			}
		})
	}
	for _, secret := range []string{"wrong-secret-value", "wrong-api-key-value", simulator.DefaultClientSecret, simulator.DefaultAPIKey} {
		if strings.Contains(audit.all(), secret) {
			t.Fatalf("the audit trail holds the secret %q:\n%s", secret, audit.all())
		}
	}
}

func TestConnectionsInput(t *testing.T) {
	st := storetest.SQLite(t)
	k := keys()
	svc := newService(t, st, newBox(t), &auditLog{})
	// The region and organization fill in the URLs.
	c, err := svc.Create(t.Context(), connections.Input{
		Name: "EU prod", Region: "eu1", OrgID: "acme", ClientID: "cid", ClientSecret: "cs-1234567890", APIKey: "ak-1234567890",
		CallbackKeys: "comment\n" + pemOf(t, k[0]) + pemOf(t, k[1]),
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenURL != "https://myaspect.eu1.id.aspect-cloud.net/tokenservice/oauth2/access_token" || c.APIURL != "https://acme.via.aspect-cloud.net" || len(c.Keys) != 2 {
		t.Fatalf("filled in: %+v", c)
	}
	if !c.HasClientSecret || !c.HasAPIKey {
		t.Fatalf("secrets not marked as set: %+v", c)
	}
	var ie *input.Error
	_, err = svc.Create(t.Context(), connections.Input{Name: "eu PROD", Region: "eu1", OrgID: "acme", ClientID: "cid", ClientSecret: "x", APIKey: "y", CallbackKeys: pemOf(t, k[0])})
	if !errors.As(err, &ie) || ie.Fields["name"] == "" {
		t.Fatalf("a taken name: %v", err)
	}
	_, err = svc.Create(t.Context(), connections.Input{Name: "Broken", Region: "not a region", CallbackKeys: "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"})
	if !errors.As(err, &ie) {
		t.Fatalf("bad input: %v", err)
	}
	for _, f := range []string{"region", "orgId", "clientId", "clientSecret", "apiKey", "callbackKeys", "tokenUrl", "apiUrl"} {
		if ie.Fields[f] == "" {
			t.Errorf("no problem named for %s: %v", f, ie.Fields)
		}
	}
}

func TestSecretsSealedAndWrongKeyRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		k := keys()
		box := newBox(t)
		svc := newService(t, st, box, &auditLog{})
		if _, err := svc.Create(t.Context(), connections.Input{
			Name: "Sealed", Region: "us1", OrgID: "acme", ClientID: "cid", ClientSecret: "very-secret-client-secret", APIKey: "very-secret-api-key",
			CallbackKeys: pemOf(t, k[0]),
		}); err != nil {
			t.Fatal(err)
		}
		row, err := st.GetConnection(t.Context(), "sealed")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(row.ClientSecretSealed+row.APIKeySealed, "very-secret") || row.ClientSecretSealed == "" {
			t.Fatalf("secrets stored in the clear: %+v", row)
		}
		// The same key opens them on the next start; another key is refused.
		if _, err := connections.New(t.Context(), connections.Config{Store: st, Box: box}); err != nil {
			t.Fatal(err)
		}
		_, err = connections.New(t.Context(), connections.Config{Store: st, Box: newBox(t)})
		if !errors.Is(err, seal.ErrWrongKey) {
			t.Fatalf("another key: %v", err)
		}
	})
}
