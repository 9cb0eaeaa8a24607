package simulator

import (
	"crypto/subtle"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// tokenStore keeps issued access tokens until they expire. Tokens are opaque
// random strings, as Alvaria's are; only this store can say what they mean.
type tokenStore struct {
	// mu is read-locked by every API call, written by the rare issue.
	mu        sync.RWMutex
	expiry    map[string]time.Time
	nextSweep int
}

// sweepAt is the number of tokens at which expired ones are first dropped;
// the threshold then doubles with what is left, so sweeping stays cheap.
const sweepAt = 1024

func newTokenStore() *tokenStore {
	return &tokenStore{expiry: map[string]time.Time{}, nextSweep: sweepAt}
}

func (t *tokenStore) issue(now time.Time, ttl time.Duration) string {
	tok := newID()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.expiry) >= t.nextSweep {
		for k, exp := range t.expiry {
			if !now.Before(exp) {
				delete(t.expiry, k)
			}
		}
		t.nextSweep = max(sweepAt, 2*len(t.expiry))
	}
	t.expiry[tok] = now.Add(ttl)
	return tok
}

func (t *tokenStore) valid(tok string, now time.Time) bool {
	t.mu.RLock()
	exp, ok := t.expiry[tok]
	t.mu.RUnlock()
	if ok && !now.Before(exp) {
		t.mu.Lock()
		delete(t.expiry, tok)
		t.mu.Unlock()
		return false
	}
	return ok
}

// maxTokenRequestBytes bounds a token request's form; real ones are tiny.
const maxTokenRequestBytes = 16 << 10

// token is the OAuth2 client credentials grant (RFC 6749 §4.4). The client
// authenticates with HTTP Basic or with client_id and client_secret in the
// form; errors follow §5.2.
func (s *Simulator) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequestBytes)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the request body is not a form")
		return
	}
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1 form-encodes the credentials before Basic, and
		// golang.org/x/oauth2 does so.
		id, secret = formDecode(id), formDecode(secret)
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if !equalSecret(id, s.cfg.ClientID) || !equalSecret(secret, s.cfg.ClientSecret) {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+Issuer+`"`)
		}
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	switch grant := form.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	for _, sc := range strings.Fields(form.Get("scope")) {
		if sc != alvaria.Scope {
			writeOAuthError(w, http.StatusBadRequest, "invalid_scope", "the only scope is "+alvaria.Scope)
			return
		}
	}
	tok := s.tokens.issue(s.cfg.Now(), s.cfg.TokenTTL)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, alvaria.TokenResponse{
		AccessToken: tok,
		Scope:       alvaria.Scope,
		TokenType:   "Bearer",
		ExpiresIn:   int(math.Ceil(s.cfg.TokenTTL.Seconds())),
	})
}

// authorized checks the bearer token and the API key of an API call.
func (s *Simulator) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	if !s.tokens.valid(strings.TrimSpace(tok), s.cfg.Now()) {
		return false
	}
	return equalSecret(r.Header.Get(alvaria.HeaderAPIKey), s.cfg.APIKey)
}

func equalSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func formDecode(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
