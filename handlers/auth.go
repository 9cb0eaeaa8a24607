package handlers

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/views"
)

const (
	sessionCookie = "parley_session"
	loginCookie   = "parley_login" // the sign-in form's CSRF token, before anyone is signed in
	principalKey  = "parley.principal"
	csrfKey       = "parley.csrf"
	tokenKey      = "parley.token"
)

// principal is the signed-in person, or the zero Principal.
func principal(c *gin.Context) accounts.Principal {
	p, _ := c.Get(principalKey)
	v, _ := p.(accounts.Principal)
	return v
}

// authenticate finds who holds the session cookie and makes them known to
// the handlers and, through the request context, to the views.
func (h *handler) authenticate(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	p, csrf, err := h.Accounts.Authenticate(c.Request.Context(), token)
	if err != nil && !errors.Is(err, accounts.ErrSignedOut) {
		h.respondError(c, fmt.Errorf("%w: %w", errWhoUnknown, err))
		c.Abort()
		return
	}
	if err == nil {
		c.Set(principalKey, p)
		c.Set(csrfKey, csrf)
		c.Set(tokenKey, token)
		c.Request = c.Request.WithContext(views.WithViewer(c.Request.Context(), views.Viewer{
			Username:  p.Username,
			Role:      p.Role,
			CSRFToken: csrf,
			Converse:  p.Can(accounts.Converse),
			Review:    p.Can(accounts.Review),
			Export:    p.Can(accounts.Export),
			Admin:     p.Can(accounts.ManageUsers),
		}))
	}
	c.Next()
}

// requireUser sends a page request without a signed-in user to the sign-in
// page, which brings them back; other requests get 401.
func (h *handler) requireUser(c *gin.Context) {
	if !principal(c).Anonymous() {
		c.Next()
		return
	}
	if c.Request.Method == http.MethodGet && c.GetHeader("Upgrade") == "" {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	} else {
		h.respondError(c, errSignInFirst)
	}
	c.Abort()
}

// require refuses people whose role does not grant perm.
func (h *handler) require(perm accounts.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		if p.Can(perm) {
			c.Next()
			return
		}
		h.respondError(c, &forbiddenError{Role: p.Role})
		c.Abort()
	}
}

// checkCSRF refuses a state-changing request whose form or header does not
// carry the signed-in session's token: another site cannot forge it.
func (h *handler) checkCSRF(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	want := c.GetString(csrfKey)
	got := c.GetHeader("X-CSRF-Token")
	if got == "" {
		got = c.PostForm("csrf")
	}
	if !accounts.ValidCSRF(want, got) {
		h.Metrics.CSRFRejected()
		h.respondError(c, errFormExpired)
		c.Abort()
		return
	}
	c.Next()
}

func (h *handler) loginPage(c *gin.Context) {
	if !principal(c).Anonymous() {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	h.renderLogin(c, http.StatusOK, views.LoginForm{Next: safeNext(c.Query("next"))})
}

func (h *handler) renderLogin(c *gin.Context, status int, f views.LoginForm) {
	f.CSRFToken = rand.Text()
	h.setCookie(c, loginCookie, f.CSRFToken, 3600)
	h.render(c, status, views.LoginPage(views.Page{Title: "Sign in", Connection: h.Connection}, f))
}

func (h *handler) login(c *gin.Context) {
	form := newLoginForm(c.Request)
	want, _ := c.Cookie(loginCookie)
	if !accounts.ValidCSRF(want, form.CSRFToken) {
		h.Metrics.CSRFRejected()
		h.loginFailed(c, form, errLoginExpired)
		return
	}
	in, err := h.Accounts.SignIn(c.Request.Context(), form.Username, form.Password, c.ClientIP())
	if err != nil {
		h.loginFailed(c, form, err)
		return
	}
	h.setCookie(c, loginCookie, "", -1)
	h.setCookie(c, sessionCookie, in.Token, 0)
	c.Redirect(http.StatusSeeOther, form.Next)
}

// loginFailed shows the sign-in form again with the reason and the username kept.
func (h *handler) loginFailed(c *gin.Context, form loginForm, err error) {
	p := h.problemFor(c, err)
	h.renderLogin(c, p.Status, form.view(p.Message))
}

func (h *handler) logout(c *gin.Context) {
	if err := h.Accounts.SignOut(c.Request.Context(), c.GetString(tokenKey), h.actor(c)); err != nil {
		h.respondError(c, err)
		return
	}
	h.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// setCookie sets an HttpOnly, SameSite=Lax cookie; maxAge 0 lasts for the
// browser session (the server enforces the real timeouts), -1 deletes.
func (h *handler) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
}

// safeNext keeps the post-sign-in redirect on this site. Browsers drop tabs
// and newlines from a Location, read a backslash as a slash and "//host" as
// another origin, so anything but a plain path starting with one "/" goes
// home instead.
func safeNext(next string) string {
	if !localPath(next) {
		return "/"
	}
	return next
}

func localPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || !utf8.ValidString(next) {
		return false
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//")
}
