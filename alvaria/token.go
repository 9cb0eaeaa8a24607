package alvaria

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenCache holds the OAuth2 token source. The source caches its token and
// renews it shortly before expiry; invalidate swaps in a fresh source when
// the API refuses a token that has not expired by its own clock (revoked,
// or the token server restarted).
type tokenCache struct {
	cfg *clientcredentials.Config
	// ctx carries the HTTP client for token requests. It is not the caller's
	// context because the source keeps it for every later renewal.
	ctx context.Context

	mu  sync.Mutex
	src oauth2.TokenSource
	gen uint64 // counts swaps so concurrent 401s refresh only once
}

func newTokenCache(cfg Config, hc *http.Client) *tokenCache {
	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     cfg.TokenURL,
		Scopes:       []string{Scope},
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	return &tokenCache{cfg: cc, ctx: ctx, src: cc.TokenSource(ctx)}
}

// token returns the cached token, fetching one when needed, and the
// generation of the source it came from. It stops waiting when ctx ends; a
// fetch already under way then finishes in the background and is cached.
func (t *tokenCache) token(ctx context.Context) (*oauth2.Token, uint64, error) {
	t.mu.Lock()
	src, gen := t.src, t.gen
	t.mu.Unlock()

	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := src.Token()
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		return r.tok, gen, credentialsError(r.err)
	case <-ctx.Done():
		return nil, gen, ctx.Err()
	}
}

// invalidate drops the token of generation gen, unless another call already
// replaced it.
func (t *tokenCache) invalidate(gen uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gen != gen {
		return
	}
	t.gen++
	t.src = t.cfg.TokenSource(t.ctx)
}

// credentialsError marks the token service's refusal of the client (400,
// 401, 403) as a *CredentialsError, so people are told to check the
// settings rather than that Alvaria could not be reached.
func credentialsError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return err
	}
	switch re.Response.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return &CredentialsError{StatusCode: re.Response.StatusCode, Code: re.ErrorCode, Err: err}
	}
	return err
}

// retryableTokenError tells whether a failed token request may succeed if
// tried again: a network error or a 429/5xx from the token server. Fetching
// a token has no side effect, so this is safe for every call.
func retryableTokenError(err error) bool {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response == nil {
			return false
		}
		code := re.Response.StatusCode
		return code == http.StatusTooManyRequests || code >= 500
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
