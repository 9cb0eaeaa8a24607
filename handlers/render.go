package handlers

import (
	"log/slog"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/views"
)

// render writes a templ component as the response.
func (h *handler) render(c *gin.Context, status int, page templ.Component) {
	renderPage(c, h.Log, status, page)
}

func renderPage(c *gin.Context, log *slog.Logger, status int, page templ.Component) {
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := page.Render(c.Request.Context(), c.Writer); err != nil {
		log.Error("render page", "path", c.Request.URL.Path, "err", err)
	}
}

func (h *handler) notFound(c *gin.Context) {
	h.respondError(c, errNoPage)
}

// noMethod answers a known address asked with the wrong method, in the
// request's kind (JSON for the API) rather than gin's plain text.
func (h *handler) noMethod(c *gin.Context) {
	h.respondError(c, errNoMethod)
}

func (h *handler) page(title, nav string) views.Page {
	return views.Page{Title: title, Nav: nav, Connection: h.Connection}
}

// actor names the signed-in person and their address for the audit trail.
func (h *handler) actor(c *gin.Context) accounts.Actor {
	return accounts.Actor{Username: principal(c).Username, Addr: c.ClientIP()}
}
