package testkit

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Client is a browser without script talking to a test server: a cookie
// jar, and the CSRF token the pages' forms carry. It does not follow
// redirects, so a test sees each 303 and where it points.
type Client struct {
	Base string
	HTTP *http.Client
	CSRF string
}

// NewClient returns a client with an empty cookie jar for the server at base.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn signs in through the sign-in form as a browser would and returns
// the signed-in client, holding the CSRF token of its pages.
func SignIn(t testing.TB, base, username, password string) *Client {
	t.Helper()
	c := NewClient(base)
	_, page := c.Get(t, "/login")
	c.CSRF = CSRFField(t, page)
	if code, loc := c.Post(t, "/login", url.Values{"username": {username}, "password": {password}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign in as %s = %d %q", username, code, loc)
	}
	_, page = c.Get(t, "/")
	c.CSRF = CSRFField(t, page)
	return c
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// CSRFField returns the CSRF token of the first form on page.
func CSRFField(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

// Get fetches path and returns the status and, for a 303, the Location,
// otherwise the body.
func (c *Client) Get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		t.Fatal(err)
	}
	return answer(resp)
}

// Post sends form with the client's CSRF token (unless form sets "csrf",
// even to empty) and returns the status and, for a 303, the Location,
// otherwise the body.
func (c *Client) Post(t testing.TB, path string, form url.Values) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		form.Set("csrf", c.CSRF)
	}
	resp, err := c.HTTP.Post(c.Base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	return answer(resp)
}

func answer(resp *http.Response) (int, string) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(body)
}

// Get fetches url with the default client and returns the status and body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Do sends req with the default client and returns the status and body.
func Do(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
