package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/testkit"
)

// simToken asks the console's embedded simulator for an access token and
// returns the status and the token, if one was issued.
func simToken(t *testing.T, base, clientID, secret string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	resp, err := http.PostForm(base+"/sim/tokenservice/oauth2/access_token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	return resp.StatusCode, tok.AccessToken
}

// simCreate calls Create Session on the embedded simulator.
func simCreate(t *testing.T, base, token, apiKey string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/sim/via/v2/organizations/demo/serverMessaging/session",
		strings.NewReader(`{"workTypeId":"32","contactName":"Mallory"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("x-api-key", apiKey)
	code, _ := testkit.Do(t, req)
	return code
}

func TestServeSimulatorAcceptsOnlyParleysOwnClient(t *testing.T) {
	srv := startConsole(t, nil)
	// The credentials the README documents for `parley simulate` must not
	// open the console's simulator to whoever can reach the console.
	if code, _ := simToken(t, srv.URL, "parley", "parley-secret"); code != http.StatusUnauthorized {
		t.Fatalf("token with the documented default secret = %d, want 401", code)
	}
	// Parley's own client still knows the generated secret and key.
	admin := srv.admin(t)
	code, loc := admin.Post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Ada"}, "integration": {"Parley"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("start a session through the console = %d %q, want a redirect to the session", code, loc)
	}
	if strings.Contains(srv.log.String(), "parley-secret") {
		t.Error("the log mentions the default secret")
	}
}

func TestServeSimulatorKeepsExplicitCredentials(t *testing.T) {
	srv := startConsole(t, map[string]string{"PARLEY_SIM_CLIENT_SECRET": "chosen-secret-1"})
	code, tok := simToken(t, srv.URL, "parley", "chosen-secret-1")
	if code != http.StatusOK || tok == "" {
		t.Fatalf("token with the configured secret = %d, want 200", code)
	}
	// The API key was not set, so it is random: the default is refused.
	if code := simCreate(t, srv.URL, tok, "parley-api-key"); code != http.StatusUnauthorized {
		t.Fatalf("create with the documented default API key = %d, want 401", code)
	}

	srv = startConsole(t, map[string]string{"PARLEY_SIM_CLIENT_SECRET": "chosen-secret-2", "PARLEY_SIM_API_KEY": "chosen-key"})
	_, tok = simToken(t, srv.URL, "parley", "chosen-secret-2")
	if code := simCreate(t, srv.URL, tok, "chosen-key"); code != http.StatusAccepted {
		t.Fatalf("create with the configured API key = %d, want 202", code)
	}
}
