package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionsList(c *gin.Context) {
	q := listQuery(c)
	list, err := h.Sessions.ListSessions(c.Request.Context(), q)
	var inputErr *conversation.InputError
	switch {
	case errors.As(err, &inputErr), errors.Is(err, conversation.ErrBadCursor):
		h.fail(c, http.StatusBadRequest, err.Error(), nil)
		return
	case err != nil:
		h.fail(c, http.StatusInternalServerError, "The sessions could not be loaded. Try again in a moment.", err)
		return
	}
	h.render(c, http.StatusOK, views.SessionsPage(views.SessionsPageData{Page: h.page("Sessions", "sessions"), List: list, Query: q}))
}
