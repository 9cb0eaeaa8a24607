package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

// connectionNotices are the connection pages' success notices by code.
var connectionNotices = map[string]string{
	"created":  "Connection saved. Give Alvaria the callback URL below, then test it.",
	"saved":    "Connection saved; Parley uses the new settings from now on.",
	"disabled": "Connection disabled: it starts no session, sends nothing and takes no callback until enabled.",
	"enabled":  "Connection enabled.",
}

func (h *handler) connectionsList(c *gin.Context) {
	list, err := h.Connections.List(c.Request.Context())
	if err != nil {
		h.respondError(c, err)
		return
	}
	last := map[string]time.Time{}
	for _, conn := range list {
		if d, err := h.Connections.Diagnostics(conn.Slug); err == nil {
			last[conn.Slug] = d.LastAccepted
		}
	}
	h.render(c, http.StatusOK, views.ConnectionsPage(views.ConnectionsPageData{
		Page: h.page("Connections", "connections"), Connections: list, LastAccepted: last, Now: time.Now(), Notice: connectionNotices[c.Query("done")],
	}))
}
