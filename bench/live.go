package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// Console is a signed-in browser of a running console, without the browser.
type Console struct {
	Base string
	HTTP *http.Client
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// SignIn signs in through the sign-in form, as a browser would.
func SignIn(ctx context.Context, base, username, password string) (*Console, error) {
	jar, _ := cookiejar.New(nil)
	c := &Console{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/login", nil)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	var page bytes.Buffer
	_, _ = page.ReadFrom(resp.Body)
	resp.Body.Close()
	m := csrfField.FindStringSubmatch(page.String())
	if m == nil {
		return nil, fmt.Errorf("sign in: no form on %s/login (%s)", c.Base, resp.Status)
	}
	form := url.Values{"username": {username}, "password": {password}, "csrf": {html.UnescapeString(m[1])}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: answered %s, not a redirect (wrong password?)", username, resp.Status)
	}
	return c, nil
}

// LiveTimes posts each callback (all to one session) in turn and times how
// long until the session page's websocket carries a frame with its text:
// callback → frame, as a person watching the page sees it.
func (c *Console) LiveTimes(ctx context.Context, webhook, sessionID string, callbacks []Callback, texts []string, wait time.Duration) ([]time.Duration, error) {
	wsURL := "ws" + strings.TrimPrefix(c.Base, "http") + "/sessions/" + url.PathEscape(sessionID) + "/live"
	conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: c.HTTP})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("open %s: %s: %w", wsURL, resp.Status, err)
		}
		return nil, fmt.Errorf("open %s: %w", wsURL, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(16 << 20)
	frames := make(chan []byte, 64)
	go func() {
		defer close(frames)
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			frames <- data
		}
	}()
	poster := &http.Client{Timeout: 30 * time.Second}
	var times []time.Duration
	for i, cb := range callbacks {
		start := time.Now()
		code, err := postOne(poster, webhook, cb)
		if err != nil {
			return times, err
		}
		if code != http.StatusOK {
			return times, fmt.Errorf("callback %s answered %d", cb.EventID, code)
		}
		if err := awaitFrame(frames, texts[i], wait); err != nil {
			return times, fmt.Errorf("callback %s: %w", cb.EventID, err)
		}
		times = append(times, time.Since(start))
	}
	return times, nil
}

// awaitFrame reads frames until one contains text.
func awaitFrame(frames <-chan []byte, text string, wait time.Duration) error {
	timeout := time.After(wait)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return errors.New("the websocket closed")
			}
			if bytes.Contains(f, []byte(text)) {
				return nil
			}
		case <-timeout:
			return fmt.Errorf("no frame with %q within %s", text, wait)
		}
	}
}
