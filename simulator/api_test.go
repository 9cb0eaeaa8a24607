package simulator

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/testkit"
)

func TestBadRequestsNameTheField(t *testing.T) {
	h := newHarness(t, quick())
	tok := h.token(t)
	sessionID, _ := h.start(t)
	withSession := func(m map[string]string) map[string]string {
		m[alvaria.HeaderSessionID] = sessionID
		return m
	}
	tests := []struct {
		name    string
		path    string
		method  string
		headers map[string]string
		body    string
		scopes  []string
	}{
		{"session: not JSON", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{"workTypeId":`, []string{"body"}},
		{"session: empty body", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), ``, []string{"body"}},
		{"session: array", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `[]`, []string{"body"}},
		{"session: nothing", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{}`, []string{"workTypeId", "contactName"}},
		{"session: no work type", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{"contactName":"Ada"}`, []string{"workTypeId"}},
		{"session: blank contact", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{"workTypeId":"32","contactName":"  "}`, []string{"contactName"}},
		{"session: work type true", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{"workTypeId":true,"contactName":"Ada"}`, []string{"workTypeId"}},
		{"session: contact number", sessionPath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{"workTypeId":"32","contactName":7}`, []string{"contactName"}},
		{"session: no content type", sessionPath(DefaultOrgID), http.MethodPost, without(apiHeaders(tok), "Content-Type"), `{"workTypeId":"32","contactName":"Ada"}`, []string{"Content-Type"}},
		{"session: text/plain", sessionPath(DefaultOrgID), http.MethodPost, with(apiHeaders(tok), "Content-Type", "text/plain"), `{"workTypeId":"32","contactName":"Ada"}`, []string{"Content-Type"}},
		{"message: no session header", messagePath(DefaultOrgID), http.MethodPost, apiHeaders(tok), `{"text":"hi"}`, []string{alvaria.HeaderSessionID}},
		{"message: empty", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{}`, []string{"text"}},
		{"message: blank text", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{"text":"   "}`, []string{"text"}},
		{"message: bad attachment type", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{"attachment":{"type":"Sticker","url":"https://example.com/a.png"}}`, []string{"attachment.type"}},
		{"message: ftp url", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{"attachment":{"type":"Image","url":"ftp://example.com/a.png"}}`, []string{"attachment.url"}},
		{"message: relative url", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{"attachment":{"type":"Image","url":"/a.png"}}`, []string{"attachment.url"}},
		{"message: empty attachment", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{"attachment":{}}`, []string{"attachment.type", "attachment.url"}},
		{"message: text number", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `{"text":1}`, []string{"text"}},
		{"message: not JSON", messagePath(DefaultOrgID), http.MethodPost, withSession(apiHeaders(tok)), `text=hi`, []string{"body"}},
		{"delete: no session header", sessionPath(DefaultOrgID), http.MethodDelete, apiHeaders(tok), ``, []string{alvaria.HeaderSessionID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.do(t, tt.method, tt.path, tt.headers, tt.body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d %s, want 400", resp.StatusCode, body)
			}
			var er alvaria.ErrorResponse
			mustJSON(t, body, &er)
			if er.Code != 400 || er.Message != "bad request" {
				t.Errorf("code %d message %q", er.Code, er.Message)
			}
			var scopes []string
			for _, e := range er.Errors {
				scopes = append(scopes, e.Scope)
				if e.Reason == "" || e.Message == "" {
					t.Errorf("error entry %+v lacks a reason or message", e)
				}
			}
			if strings.Join(scopes, ",") != strings.Join(tt.scopes, ",") {
				t.Errorf("errors name %v, want %v (%s)", scopes, tt.scopes, body)
			}
		})
	}
}

func TestUnauthorizedHasNoBody(t *testing.T) {
	h := newHarness(t, quick())
	tok := h.token(t)
	body := `{"workTypeId":"32","contactName":"Ada"}`
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{"no Authorization", without(apiHeaders(tok), "Authorization")},
		{"unknown token", with(apiHeaders(tok), "Authorization", "Bearer not-a-token")},
		{"not Bearer", with(apiHeaders(tok), "Authorization", "Basic "+tok)},
		{"no x-api-key", without(apiHeaders(tok), alvaria.HeaderAPIKey)},
		{"wrong x-api-key", with(apiHeaders(tok), alvaria.HeaderAPIKey, "other-key")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), tt.headers, body)
			if resp.StatusCode != http.StatusUnauthorized || len(b) != 0 {
				t.Fatalf("got %d with body %q, want 401 and no body", resp.StatusCode, b)
			}
		})
	}
	if resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), body); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("with good credentials: %d %s", resp.StatusCode, b)
	}
}

func TestWrongMethodIs405(t *testing.T) {
	h := newHarness(t, quick())
	tok := h.token(t)
	tests := []struct{ method, path, allow string }{
		{http.MethodGet, sessionPath(DefaultOrgID), "DELETE, POST"},
		{http.MethodPut, sessionPath(DefaultOrgID), "DELETE, POST"},
		{http.MethodGet, messagePath(DefaultOrgID), "POST"},
		{http.MethodDelete, messagePath(DefaultOrgID), "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := h.do(t, tt.method, tt.path, apiHeaders(tok), "")
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("%s %s = %d Allow %q, want 405 Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.allow)
				return
			}
			var er alvaria.ErrorResponse
			mustJSON(t, body, &er)
			if er.Code != 405 || len(er.Errors) == 0 {
				t.Errorf("405 body = %s", body)
			}
		})
	}
}

func TestUnknownOrganizationAndPathAre404(t *testing.T) {
	h := newHarness(t, quick())
	tok := h.token(t)
	resp, body := h.do(t, http.MethodPost, sessionPath("other-org"), apiHeaders(tok), `{"workTypeId":"32","contactName":"Ada"}`)
	var er alvaria.ErrorResponse
	mustJSON(t, body, &er)
	if resp.StatusCode != http.StatusNotFound || er.Code != 404 || er.Message != "not found" || len(er.Errors) != 1 || er.Errors[0].Scope != "orgId" {
		t.Errorf("unknown org: %d %s", resp.StatusCode, body)
	}
	resp, body = h.do(t, http.MethodPost, "/via/v2/organizations/demo/serverMessaging/nothing", apiHeaders(tok), `{}`)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"code":404`) {
		t.Errorf("unknown path: %d %s", resp.StatusCode, body)
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	cfg := quick()
	cfg.RateLimit = 1
	cfg.Now = clock.Now
	h := newHarness(t, cfg)
	tok := h.token(t)
	body := `{"workTypeId":"32","contactName":"Ada"}`

	if resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), body); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("first call: %d %s", resp.StatusCode, b)
	}
	resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), body)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("second call: %d Retry-After %q %s, want 429 Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	var er alvaria.ErrorResponse
	mustJSON(t, b, &er)
	if er.Code != 429 || len(er.Errors) != 1 {
		t.Errorf("429 body = %s", b)
	}
	clock.Advance(time.Second)
	if resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), body); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after waiting: %d %s", resp.StatusCode, b)
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	cfg := quick()
	cfg.Now = clock.Now
	cfg.TokenTTL = time.Minute
	h := newHarness(t, cfg)
	tok := h.token(t)
	body := `{"workTypeId":"32","contactName":"Ada"}`
	if resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), body); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("fresh token: %d %s", resp.StatusCode, b)
	}
	clock.Advance(time.Minute)
	if resp, b := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), body); resp.StatusCode != http.StatusUnauthorized || len(b) != 0 {
		t.Fatalf("expired token: %d %q, want 401 with no body", resp.StatusCode, b)
	}
	// The client's own clock still trusts its token; the 401 makes it fetch
	// a new one and try again.
	if _, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := h.client.CreateSession(context.Background(), alvaria.NewSession{WorkTypeID: "32", ContactName: "Ada"}); err != nil {
		t.Fatalf("client after its token expired: %v", err)
	}
}

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, quick())
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	good := basicAuth(DefaultClientID, DefaultClientSecret)
	tests := []struct {
		name    string
		headers map[string]string
		body    string
		status  int
		errCode string
	}{
		{"basic auth", with(form, "Authorization", good), "grant_type=client_credentials&scope=servermessagingapi", 200, ""},
		{"form credentials", form, "grant_type=client_credentials&scope=servermessagingapi&client_id=parley&client_secret=parley-secret", 200, ""},
		{"no scope", with(form, "Authorization", good), "grant_type=client_credentials", 200, ""},
		{"wrong secret", with(form, "Authorization", basicAuth(DefaultClientID, "nope")), "grant_type=client_credentials", 401, "invalid_client"},
		{"no credentials", form, "grant_type=client_credentials", 401, "invalid_client"},
		{"wrong form secret", form, "grant_type=client_credentials&client_id=parley&client_secret=nope", 401, "invalid_client"},
		{"password grant", with(form, "Authorization", good), "grant_type=password&username=a&password=b", 400, "unsupported_grant_type"},
		{"no grant type", with(form, "Authorization", good), "scope=servermessagingapi", 400, "invalid_request"},
		{"other scope", with(form, "Authorization", good), "grant_type=client_credentials&scope=admin", 400, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.do(t, http.MethodPost, TokenPath, tt.headers, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status != 200 {
				var e struct{ Error string }
				mustJSON(t, body, &e)
				if e.Error != tt.errCode {
					t.Errorf("error %q, want %q", e.Error, tt.errCode)
				}
				return
			}
			var tok alvaria.TokenResponse
			mustJSON(t, body, &tok)
			if tok.AccessToken == "" || tok.Scope != alvaria.Scope || tok.TokenType != "Bearer" || tok.ExpiresIn != 3599 {
				t.Errorf("token = %+v", tok)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
		})
	}
	if resp, _ := h.do(t, http.MethodGet, TokenPath, nil, ""); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d, want 405", resp.StatusCode)
	}
}

func TestInjectedErrors(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			cfg := quick()
			cfg.ErrorRate = 1
			cfg.ErrorStatus = status
			h := newHarness(t, cfg)
			tok := h.token(t)
			resp, body := h.do(t, http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), `{"workTypeId":"32","contactName":"Ada"}`)
			if resp.StatusCode != status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, status)
			}
			var er alvaria.ErrorResponse
			mustJSON(t, body, &er)
			if er.Code != status || len(er.Errors) != 1 || er.Errors[0].Reason != "injected" {
				t.Errorf("body = %s", body)
			}
			if status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				t.Error("injected 429 has no Retry-After")
			}
			if len(h.sim.Sessions()) != 0 {
				t.Error("an injected error still created a session")
			}
		})
	}
}

func TestSimulatorEndpoints(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	// The receiver sees a callback before its attempt is logged.
	waitFor(t, "3 logged deliveries", func() bool { return len(h.sim.Deliveries()) >= 3 })

	resp, body := h.do(t, http.MethodGet, PublicKeyPath, nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("public key: %d", resp.StatusCode)
	}
	pub, err := alvaria.ParsePublicKeyPEM(body)
	if err != nil || !pub.Equal(h.sim.PublicKey()) || string(body) != string(h.sim.PublicKeyPEM()) {
		t.Fatalf("public key PEM does not hold the simulator's key: %v", err)
	}

	resp, body = h.do(t, http.MethodGet, DeliveriesPath+"?sessionId="+id, nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("deliveries: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var raw []map[string]any
	mustJSON(t, body, &raw)
	if len(raw) < 3 {
		t.Fatalf("deliveries = %s, want the 3 callbacks of the session", body)
	}
	for _, key := range []string{"time", "eventId", "event", "sessionId", "attempt", "kind", "statusCode", "latencyMs"} {
		if _, ok := raw[0][key]; !ok {
			t.Errorf("delivery entry lacks %q: %v", key, raw[0])
		}
	}
	var log []DeliveryAttempt
	mustJSON(t, body, &log)
	if log[0].Event != alvaria.EventMessage || log[len(log)-1].Event != alvaria.EventNewSession {
		t.Errorf("deliveries are not newest first: %v … %v", log[0].Event, log[len(log)-1].Event)
	}
	// On its own, with no accounts, the simulator shows tokens whole.
	if tok := log[0].Token; strings.Count(tok, ".") != 2 || strings.HasSuffix(tok, ".") || strings.Contains(tok, RedactedSignature) {
		t.Errorf("the delivery log's token %q is not whole", tok)
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range m {
		if key != k {
			out[key] = val
		}
	}
	return out
}

func without(m map[string]string, k string) map[string]string {
	out := map[string]string{}
	for key, val := range m {
		if key != k {
			out[key] = val
		}
	}
	return out
}

// TestSeededErrorRateRepeats: with the same seed, a share of injected errors
// falls on the same calls, so a failing fault-injection run can be replayed.
func TestSeededErrorRateRepeats(t *testing.T) {
	pattern := func(seed uint64) string {
		cfg := quick()
		cfg.ErrorRate = 0.5
		cfg.Rand = rand.New(rand.NewPCG(seed, seed))
		h := newHarness(t, cfg)
		tok := h.token(t)
		var b strings.Builder
		for range 32 {
			resp, _ := h.do(t, http.MethodDelete, sessionPath(DefaultOrgID), apiHeaders(tok), "")
			if resp.StatusCode == http.StatusInternalServerError {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	first := pattern(7)
	if again := pattern(7); again != first {
		t.Fatalf("same seed, different faults:\n%s\n%s", first, again)
	}
	if !strings.Contains(first, "x") || !strings.Contains(first, ".") {
		t.Fatalf("ErrorRate 0.5 over 32 calls injected %s", first)
	}
}
