package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionsList(c *gin.Context) {
	q, err := newListForm(c.Request).Validate()
	var list conversation.SessionList
	if err == nil {
		list, err = h.Sessions.ListSessions(c.Request.Context(), q)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, http.StatusOK, views.SessionsPage(views.SessionsPageData{Page: h.page("Sessions", "sessions"), List: list, Query: q}))
}
