package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

// accountNotices are what the page says after a change it redirected from.
var accountNotices = map[string]string{
	"password": "Your password is changed.",
	"revoked":  "The token is revoked: it is refused from now on.",
}

func (h *handler) accountPage(c *gin.Context) {
	h.renderAccount(c, http.StatusOK, views.AccountPageData{Notice: accountNotices[c.Query("done")]})
}

// renderAccount shows the account page with the person's API tokens.
func (h *handler) renderAccount(c *gin.Context, status int, d views.AccountPageData) {
	tokens, err := h.Accounts.ListTokens(c.Request.Context(), principal(c).Username)
	if err != nil {
		h.respondError(c, err)
		return
	}
	d.Page, d.Tokens = h.page("Your account", "account"), tokens
	h.render(c, status, views.AccountPage(d))
}

func (h *handler) accountPassword(c *gin.Context) {
	form := newOwnPasswordForm(c.Request)
	err := h.Accounts.ChangeOwnPassword(c.Request.Context(), h.actor(c), c.GetString(tokenKey), form.Current, form.Password)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/account?done=password")
		return
	}
	p := h.problemFor(c, err)
	if p.Status == http.StatusTooManyRequests {
		// Too many wrong guesses is about the current password.
		p.Fields = map[string]string{"current": p.Message}
	}
	if len(p.Fields) == 0 {
		h.respondProblem(c, p)
		return
	}
	h.renderAccount(c, p.Status, views.AccountPageData{Fields: p.Fields})
}

// accountTokenCreate shows the new token on the page it answers with, the
// only time it is ever shown: a redirect would have to keep it somewhere.
func (h *handler) accountTokenCreate(c *gin.Context) {
	form := newTokenForm(c.Request)
	tok, err := h.Accounts.CreateToken(c.Request.Context(), h.actor(c), principal(c).Username, form.Name)
	if err != nil {
		p := h.problemFor(c, err)
		if len(p.Fields) == 0 {
			h.respondProblem(c, p)
			return
		}
		h.renderAccount(c, p.Status, views.AccountPageData{Fields: formFields(tokenFields, p.Fields), TokenName: form.Name})
		return
	}
	// The one page that holds the secret: no cache, disk or proxy, may keep
	// it, and Back does not show it again.
	c.Header("Cache-Control", "no-store")
	h.renderAccount(c, http.StatusCreated, views.AccountPageData{NewToken: &tok})
}

func (h *handler) accountTokenRevoke(c *gin.Context) {
	id, err := newTokenRevokeForm(c.Param("id")).Validate()
	if err == nil {
		err = h.Accounts.RevokeToken(c.Request.Context(), h.actor(c), id)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=revoked")
}
