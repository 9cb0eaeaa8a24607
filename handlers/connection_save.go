package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/views"
)

func (h *handler) connectionCreate(c *gin.Context) {
	form := newConnectionForm(c.Request)
	in, err := form.Validate(h.actor(c))
	var conn connections.Connection
	if err == nil {
		conn, err = h.Connections.Create(c.Request.Context(), in)
	}
	if err != nil {
		h.connectionFailed(c, "", form, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/connections/"+conn.Slug+"?done=created")
}

func (h *handler) connectionUpdate(c *gin.Context) {
	slug := c.Param("slug")
	form := newConnectionForm(c.Request)
	in, err := form.Validate(h.actor(c))
	if err == nil {
		_, err = h.Connections.Update(c.Request.Context(), slug, in)
	}
	if err != nil {
		h.connectionFailed(c, slug, form, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/connections/"+slug+"?done=saved")
}

// connectionFailed shows the form again with what was typed (never the
// secrets) and why it was refused; other failures get the error page.
func (h *handler) connectionFailed(c *gin.Context, slug string, form connectionForm, err error) {
	p := h.problemFor(c, err)
	if len(p.Fields) == 0 {
		h.respondProblem(c, p)
		return
	}
	fields := formFields(connectionFields, p.Fields)
	if slug == "" {
		h.render(c, p.Status, views.ConnectionPage(views.ConnectionPageData{
			Page: h.page("Add a connection", "connections"), Form: form.ConnectionForm, Fields: fields, Error: p.Message,
			Regions: connections.Regions, Now: time.Now(),
		}))
		return
	}
	h.showConnection(c, p.Status, slug, func(d *views.ConnectionPageData) {
		d.Form, d.Fields, d.Error = form.ConnectionForm, fields, p.Message
	})
}

// connectionSetDisabled disables or enables a connection.
func (h *handler) connectionSetDisabled(disabled bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		slug := c.Param("slug")
		if err := h.Connections.SetDisabled(c.Request.Context(), slug, disabled, h.actor(c)); err != nil {
			h.respondError(c, err)
			return
		}
		done := "enabled"
		if disabled {
			done = "disabled"
		}
		c.Redirect(http.StatusSeeOther, "/admin/connections/"+slug+"?done="+done)
	}
}

// connectionTest runs Test connection and shows its result on the page.
func (h *handler) connectionTest(c *gin.Context) {
	slug := c.Param("slug")
	res, err := h.Connections.Test(c.Request.Context(), slug, h.actor(c))
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.showConnection(c, http.StatusOK, slug, func(d *views.ConnectionPageData) { d.Test = &res })
}
