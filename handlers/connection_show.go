package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/views"
)

func (h *handler) connectionNew(c *gin.Context) {
	h.render(c, http.StatusOK, views.ConnectionPage(views.ConnectionPageData{
		Page: h.page("Add a connection", "connections"), Regions: connections.Regions, Now: time.Now(),
	}))
}

func (h *handler) connectionShow(c *gin.Context) {
	h.showConnection(c, http.StatusOK, c.Param("slug"), func(d *views.ConnectionPageData) {
		d.Notice = connectionNotices[c.Query("done")]
	})
}

// showConnection renders a connection's page; change, when not nil, adds
// what the request brought (a test's result, a refused form).
func (h *handler) showConnection(c *gin.Context, status int, slug string, change func(*views.ConnectionPageData)) {
	conn, err := h.Connections.Get(c.Request.Context(), slug)
	if err != nil {
		h.respondError(c, err)
		return
	}
	diag, err := h.Connections.Diagnostics(slug)
	if err != nil {
		h.respondError(c, err)
		return
	}
	d := views.ConnectionPageData{
		Page: h.page(conn.Name, "connections"), Connection: &conn, Form: views.ConnectionFormFrom(conn),
		Diagnostics: &diag, Regions: connections.Regions, Now: time.Now(),
	}
	if change != nil {
		change(&d)
	}
	h.render(c, status, views.ConnectionPage(d))
}
