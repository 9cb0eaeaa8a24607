package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
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
	err := h.Accounts.ChangeOwnPassword(c.Request.Context(), h.actor(c), c.GetString(tokenKey), c.PostForm("current"), c.PostForm("password"))
	var inputErr *accounts.InputError
	var throttled *accounts.ThrottledError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/account?done=password")
	case errors.As(err, &inputErr):
		h.render(c, http.StatusUnprocessableEntity, views.AccountPage(views.AccountPageData{Page: h.page("Your account", "account"), Fields: inputErr.Fields}))
	case errors.As(err, &throttled):
		fields := map[string]string{"current": throttled.Error()}
		h.render(c, http.StatusTooManyRequests, views.AccountPage(views.AccountPageData{Page: h.page("Your account", "account"), Fields: fields}))
	default:
		h.fail(c, http.StatusInternalServerError, "Your password could not be changed. Try again in a moment.", err)
	}
}
