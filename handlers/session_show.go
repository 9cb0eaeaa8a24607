package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionShow(c *gin.Context) {
	h.showSession(c, http.StatusOK, views.MessageForm{}, "")
}

// showSession renders the session page; without script, a failed send comes
// back here with the form kept and the reason shown.
func (h *handler) showSession(c *gin.Context, status int, form views.MessageForm, formErr string) {
	d, err := h.Sessions.SessionDetail(c.Request.Context(), c.Param("id"))
	if errors.Is(err, conversation.ErrNotFound) {
		h.fail(c, http.StatusNotFound, "There is no session with this address.", nil)
		return
	}
	if err != nil {
		h.fail(c, http.StatusInternalServerError, "The session could not be loaded. Try again in a moment.", err)
		return
	}
	h.render(c, status, views.SessionPage(views.SessionPageData{
		Page:    h.page(d.Session.ContactName, "sessions"),
		Detail:  d,
		Form:    form,
		FormErr: formErr,
		Reviews: d.Reviews,
	}))
}
