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
	choices, err := h.connectionFilter(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, http.StatusOK, views.SessionsPage(views.SessionsPageData{Page: h.page("Sessions", "sessions"), List: list, Query: q, Connections: choices}))
	list.Release() // the page is written out: its rows serve the next one
}

// connectionFilter lists every connection, enabled or not, for the list's
// filter: sessions of a disabled connection are still worth finding.
func (h *handler) connectionFilter(c *gin.Context) ([]views.ConnectionChoice, error) {
	if h.Connections == nil {
		return nil, nil
	}
	list, err := h.Connections.List(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := make([]views.ConnectionChoice, 0, len(list))
	for _, conn := range list {
		out = append(out, views.ConnectionChoice{Slug: conn.Slug, Name: conn.Name})
	}
	return out, nil
}
