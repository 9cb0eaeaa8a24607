package handlers

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/views"
)

// sessionLive streams a session page's changes.
func (h *handler) sessionLive(c *gin.Context) {
	id := c.Param("id")
	if _, err := h.Sessions.Session(c.Request.Context(), id); err != nil {
		h.respondError(c, err)
		return
	}
	h.stream(c, live.SessionTopic(id), func(ctx context.Context, seq int64, _ []string, _ bool) (liveUpdate, error) {
		d, err := h.Sessions.Changes(ctx, id, seq)
		if err != nil {
			return liveUpdate{}, err
		}
		up := liveUpdate{Seq: d.Seq}
		if d.Seq == seq {
			return up, nil
		}
		add := func(id, into string, html string) {
			up.Items = append(up.Items, item{ID: id, Into: into, HTML: html})
		}
		for _, m := range d.Messages {
			html, err := renderHTML(ctx, views.MessageItem(m, d.Now))
			if err != nil {
				return up, err
			}
			add(views.MessageElementID(m.ID), "transcript", html)
		}
		for _, e := range d.Events {
			html, err := renderHTML(ctx, views.EventItem(e, d.Now))
			if err != nil {
				return up, err
			}
			add(views.EventElementID(e.ID), "timeline", html)
		}
		html, err := renderHTML(ctx, views.SessionHeader(d.Session, d.Now))
		if err != nil {
			return up, err
		}
		add("session-header", "", html)
		if !d.Session.Live() && views.ViewerFrom(ctx).Converse {
			html, err := renderHTML(ctx, views.Composer(d.Session, views.MessageForm{}, ""))
			if err != nil {
				return up, err
			}
			add("composer", "", html)
		}
		return up, nil
	})
}
