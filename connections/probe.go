package connections

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/readable"
)

// testTimeout bounds each step of a connection test.
const testTimeout = 10 * time.Second

// testSessionID is the made-up session a test asks Alvaria to end: a 404
// for it shows the token and API key were accepted without touching any
// real session.
const testSessionID = "parley-connection-test"

// Check is one step of a connection test.
type Check struct {
	Name   string // "Token service", "Token", "API"…
	OK     bool
	Detail string
}

// TestResult is what Test connection found.
type TestResult struct {
	OK     bool
	At     time.Time
	Checks []Check
}

// Summary is the first failure, or that every step passed.
func (r TestResult) Summary() string {
	for _, c := range r.Checks {
		if !c.OK {
			return c.Name + ": " + c.Detail
		}
	}
	return "Parley got a token with the scope " + alvaria.Scope + " and the API accepted it with the API key."
}

// Test checks a connection as Parley will use it: the token service's
// host resolves and answers over TLS, it grants a token for the client id
// and secret with the scope servermessagingapi, and the API takes that
// token with the API key. It stops at the first failure and says exactly
// what failed. It never opens a session.
func (svc *Service) Test(ctx context.Context, slug string, by accounts.Actor) (TestResult, error) {
	e, ok := svc.lookup(slug)
	if !ok {
		return TestResult{}, ErrNotFound
	}
	res := TestResult{At: svc.now()}
	hc := &http.Client{Timeout: testTimeout, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	add := func(name string, err error, okDetail string) bool {
		c := Check{Name: name, OK: err == nil, Detail: okDetail}
		if err != nil {
			c.Detail = err.Error()
		}
		res.Checks = append(res.Checks, c)
		return c.OK
	}
	cfg := e.cfg
	res.OK = add("Token service address", resolve(ctx, cfg.TokenURL), "its host name resolves") &&
		func() bool {
			tok, err := fetchToken(ctx, hc, cfg)
			if !add("Token", err, "granted, scope "+alvaria.Scope) {
				return false
			}
			return add("API address", resolve(ctx, cfg.APIURL), "its host name resolves") &&
				add("API", probeAPI(ctx, hc, cfg, tok), "accepted the token and the API key")
		}()
	detail := "passed"
	if !res.OK {
		// The summary may quote what the far side answered: keep it short.
		detail = "failed: " + readable.Clip(res.Summary(), 301)
	}
	svc.record(ctx, by, accounts.ActionConnectionTest, slug, e.conn.Name+": "+detail)
	return res, nil
}

// resolve looks the URL's host up, so "no such host" is told apart from a
// host that does not answer.
func resolve(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the URL %q cannot be read", raw)
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	if _, err := net.DefaultResolver.LookupHost(ctx, host); err != nil {
		return fmt.Errorf("DNS: the host %s does not resolve (%s); check the URL and the region", host, dnsReason(err))
	}
	return nil
}

func dnsReason(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "no such host"
		}
		if dnsErr.IsTimeout {
			return "the DNS server did not answer"
		}
		return dnsErr.Err
	}
	return err.Error()
}

// fetchToken asks the token service for a token as the client does.
func fetchToken(ctx context.Context, hc *http.Client, cfg alvaria.Config) (*oauth2.Token, error) {
	cc := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL, Scopes: []string{alvaria.Scope}}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, hc), testTimeout)
	defer cancel()
	tok, err := cc.Token(ctx)
	if err != nil {
		return nil, tokenError(err)
	}
	if scope, _ := tok.Extra("scope").(string); scope != "" && !strings.Contains(" "+scope+" ", " "+alvaria.Scope+" ") {
		return nil, fmt.Errorf("wrong scope: the token grants %q, not %s; ask Alvaria to give the client that scope", scope, alvaria.Scope)
	}
	return tok, nil
}

// tokenError says what the token service's refusal or silence means.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		code := re.Response.StatusCode
		switch {
		case re.ErrorCode == "invalid_scope":
			return fmt.Errorf("wrong scope: the token service answered %d invalid_scope; the client may not ask for %s", code, alvaria.Scope)
		case code == http.StatusUnauthorized || re.ErrorCode == "invalid_client":
			return fmt.Errorf("the token service answered %d %s: the client id or client secret is wrong", code, orDefault(re.ErrorCode, http.StatusText(code)))
		case code == http.StatusForbidden:
			return fmt.Errorf("the token service answered 403 %s: the client is not allowed to get tokens", re.ErrorCode)
		case code == http.StatusNotFound:
			return fmt.Errorf("the token service answered 404: the token URL's path is wrong")
		default:
			return fmt.Errorf("the token service answered %d %s", code, orDefault(re.ErrorCode, http.StatusText(code)))
		}
	}
	return transportError("the token service", err)
}

// transportError explains a request that got no HTTP answer.
func transportError(what string, err error) error {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		certErr    *tls.CertificateVerificationError
		dnsErr     *net.DNSError
		opErr      *net.OpError
	)
	switch {
	case errors.As(err, &hostErr):
		return fmt.Errorf("TLS: %s's certificate is not for this host (%s)", what, hostErr.Error())
	case errors.As(err, &unknownCA):
		return fmt.Errorf("TLS: %s's certificate is signed by an authority this machine does not trust", what)
	case errors.As(err, &invalidErr):
		return fmt.Errorf("TLS: %s's certificate is not valid (%s)", what, invalidErr.Error())
	case errors.As(err, &certErr):
		return fmt.Errorf("TLS: %s's certificate was refused (%s)", what, certErr.Err)
	case errors.As(err, &recordErr):
		return fmt.Errorf("TLS: %s does not speak TLS on this port; is the URL http rather than https?", what)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("DNS: the host %s does not resolve (%s)", dnsErr.Name, dnsReason(dnsErr))
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return fmt.Errorf("%s did not answer within %s", what, testTimeout)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Errorf("cannot connect to %s at %s (%s)", what, opErr.Addr, errors.Unwrap(opErr.Err))
	}
	return fmt.Errorf("%s could not be reached: %s", what, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func orDefault(s, d string) string {
	if s != "" {
		return s
	}
	return d
}

// probeAPI asks the API to end a session that does not exist: 404 about
// the session means the token and API key were accepted.
func probeAPI(ctx context.Context, hc *http.Client, cfg alvaria.Config, tok *oauth2.Token) error {
	target := strings.TrimRight(cfg.APIURL, "/") + "/via/v2/organizations/" + url.PathEscape(cfg.OrgID) + "/serverMessaging/session"
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, target, nil)
	if err != nil {
		return fmt.Errorf("the API URL cannot be used: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set(alvaria.HeaderAPIKey, cfg.APIKey)
	req.Header.Set("server-messaging-session-id", testSessionID)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return transportError("the API", err)
	}
	defer resp.Body.Close()
	var body alvaria.ErrorResponse
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	json.Unmarshal(raw, &body)
	switch code := resp.StatusCode; {
	case code == http.StatusNotFound:
		for _, d := range body.Errors {
			if strings.EqualFold(d.Scope, "orgId") {
				return fmt.Errorf("the API answered 404: the organization %q does not exist there; check the organization ID and the API URL", cfg.OrgID)
			}
		}
		if len(raw) == 0 || (body.Message == "" && len(body.Errors) == 0) {
			return fmt.Errorf("the API answered 404 with no Alvaria error: the API URL's path is likely wrong")
		}
		return nil // about the made-up session: everything before it passed
	case code >= 200 && code < 300, code == http.StatusBadRequest:
		return nil // it took the call; only the made-up session was in question
	case code == http.StatusUnauthorized:
		return fmt.Errorf("the API answered 401: it refused the token or the API key; check the API key and that the client belongs to this organization")
	case code == http.StatusForbidden:
		return fmt.Errorf("the API answered 403 with this API key: the key is wrong or not enabled for Server Messaging")
	case code == http.StatusTooManyRequests:
		return fmt.Errorf("the API answered 429: too many requests; try again shortly")
	default:
		return fmt.Errorf("the API answered %d %s", code, http.StatusText(code))
	}
}
