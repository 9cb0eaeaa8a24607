package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

func (h *handler) accountPage(c *gin.Context) {
	notice := ""
	if c.Query("done") == "password" {
		notice = "Your password is changed."
	}
	h.render(c, http.StatusOK, views.AccountPage(views.AccountPageData{Page: h.page("Your account", "account"), Notice: notice}))
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
	h.render(c, p.Status, views.AccountPage(views.AccountPageData{Page: h.page("Your account", "account"), Fields: p.Fields}))
}
