package runs

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The alert client refuses a private address whatever the URL said, on the
// address it dials: a public-looking name that resolves to this machine
// (here "localhost", as DNS rebinding would) is refused as well.
func TestTheAlertClientRefusesPrivateAddressesItDials(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{srv.URL, "http://localhost" + port} {
		resp, err := newAlertClient(false).Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: posted, status %s", u, resp.Status)
		}
		if !strings.Contains(err.Error(), "private or local address") {
			t.Errorf("%s: %v", u, err)
		}
	}
	if hit {
		t.Error("the receiver was reached")
	}
	resp, err := newAlertClient(true).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("allowed: %v", err)
	}
	resp.Body.Close()
	if !hit {
		t.Error("with private addresses allowed, the receiver was not reached")
	}
}

// A refused alert's reason, shown to everyone who reads the test, does not
// quote the webhook URL: for Slack, the URL is the secret.
func TestAnAlertsReasonDoesNotQuoteItsURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	svc := &Service{alertClient: newAlertClient(false)}
	secret := srv.URL + "/services/T000/B000/s3cr3t"
	_, err := svc.post(t.Context(), secret, []byte("{}"))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("reason %v", err)
	}
}
