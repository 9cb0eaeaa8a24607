package handlers

import (
	"log/slog"
	"net/http"

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

// fail logs the detail of err and shows the user one clear sentence.
func (h *handler) fail(c *gin.Context, status int, userMessage string, err error) {
	if err != nil {
		h.Log.Error(userMessage, "path", c.Request.URL.Path, "err", err)
	}
	h.render(c, status, views.ErrorPage(status, userMessage))
}

func (h *handler) notFound(c *gin.Context) {
	h.fail(c, http.StatusNotFound, "There is no page at this address.", nil)
}

func (h *handler) page(title, nav string) views.Page {
	return views.Page{Title: title, Nav: nav, Connection: h.Connection}
}

// actor names the signed-in person and their address for the audit trail.
func (h *handler) actor(c *gin.Context) accounts.Actor {
	return accounts.Actor{Username: principal(c).Username, Addr: c.ClientIP()}
}
