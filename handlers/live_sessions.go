package handlers

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/views"
)

// sessionsLive streams changed rows of the sessions list. Its cursor is a
// time (microseconds): after a drop, rows active since then are re-sent.
func (h *handler) sessionsLive(c *gin.Context) {
	h.stream(c, live.TopicSessions, func(ctx context.Context, seq int64, keys []string, all bool) (liveUpdate, error) {
		var since time.Time
		if all && seq > 0 {
			since = time.UnixMicro(seq)
		}
		if !all && len(keys) == 0 {
			return liveUpdate{Seq: seq}, nil
		}
		var ids []string
		if !all {
			ids = keys
		}
		changed, err := h.Sessions.SessionsChanged(ctx, since, ids)
		if err != nil {
			return liveUpdate{}, err
		}
		up := liveUpdate{Seq: changed.Now.UnixMicro()}
		// Oldest first, each inserted at the top, leaves the newest on top.
		for i := len(changed.Sessions) - 1; i >= 0; i-- {
			s := changed.Sessions[i]
			html, err := renderHTML(ctx, views.SessionRow(s, changed.Now))
			if err != nil {
				return up, err
			}
			up.Items = append(up.Items, item{ID: views.SessionRowID(s.ID), Into: "session-rows", HTML: html, First: true})
		}
		return up, nil
	})
}
