package main

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

// testAdminPassword is the first admin's password in tests.
const testAdminPassword = "correct horse battery"

// client is a signed-in person talking to a test server over HTTP, with the
// cookie and CSRF token a browser would hold.
type client struct {
	base string
	http *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// signIn signs in through the sign-in form as a browser would.
func (s *server) signIn(t *testing.T, username, password string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{base: s.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, page := c.get(t, "/login")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in page:\n%s", page)
	}
	c.csrf = html.UnescapeString(m[1])
	code, _ := c.post(t, "/login", url.Values{"username": {username}, "password": {password}})
	if code != http.StatusSeeOther {
		t.Fatalf("sign in as %s = %d", username, code)
	}
	_, page = c.get(t, "/")
	if m = csrfField.FindStringSubmatch(page); m == nil {
		t.Fatalf("signed-in page has no CSRF field:\n%s", page)
	}
	c.csrf = html.UnescapeString(m[1])
	return c
}

func (s *server) admin(t *testing.T) *client { return s.signIn(t, "admin", testAdminPassword) }

func (c *client) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post sends a form with the CSRF token and returns the status and the
// redirect's location, without following it.
func (c *client) post(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	resp, err := c.http.Post(c.base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}
