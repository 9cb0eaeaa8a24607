package handlers

import (
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
	w, err := newWindowForm(c.Request).Validate()
	var d conversation.Detail
	if err == nil {
		d, err = h.Sessions.SessionPage(c.Request.Context(), c.Param("id"), w)
	}
	if err != nil {
		h.respondError(c, err)
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

func (h *handler) sessionPrint(c *gin.Context) {
	if d, ok := h.sessionDetail(c); ok {
		h.render(c, http.StatusOK, views.PrintPage(d))
	}
}

// sessionDetail loads the session named in the path, or answers why not.
func (h *handler) sessionDetail(c *gin.Context) (conversation.Detail, bool) {
	d, err := h.Sessions.SessionDetail(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.respondError(c, err)
		return d, false
	}
	return d, true
}
