package handlers

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/views"
)

// render writes a templ component as the response.
func (h *handler) render(c *gin.Context, status int, page templ.Component) {
	renderPage(c, h.Log, status, page)
}

// pages holds the buffers pages are rendered into. A page written straight
// to the connection went out in many small chunked writes, one system call
// each; rendered whole first, it goes in one write with its length, and a
// page that fails to render is a clean 500 rather than half a page.
var pages = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage keeps a rare huge page's buffer from staying in the pool.
const maxPooledPage = 1 << 20

func renderPage(c *gin.Context, log *slog.Logger, status int, page templ.Component) {
	buf := pages.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledPage {
			pages.Put(buf)
		}
	}()
	if err := page.Render(c.Request.Context(), buf); err != nil {
		log.Error("render page", "path", c.Request.URL.Path, "request_id", requestID(c), "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8",
			[]byte("Something went wrong on Parley's side showing this page. Try again in a moment; if it keeps happening, tell an admin request id "+requestID(c)+".\n"))
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Length", strconv.Itoa(buf.Len()))
	c.Status(status)
	if _, err := c.Writer.Write(buf.Bytes()); err != nil {
		log.Debug("write page", "path", c.Request.URL.Path, "err", err)
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
