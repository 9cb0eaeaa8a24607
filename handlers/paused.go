package handlers

import (
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/views"
)

// noteDeliveryPause puts the embedded simulator's paused delivery, with who
// paused it and when (the newest pause in the audit trail), in the request
// for the banner every page shows. The trail is read only while delivery
// is paused.
func (h *handler) noteDeliveryPause(c *gin.Context) {
	if h.Desk == nil || !h.Desk.DeliveryPaused() || principal(c).Anonymous() {
		c.Next()
		return
	}
	pause := views.DeliveryPause{}
	last, found, err := h.Accounts.LastAudit(c.Request.Context(), accounts.ActionDeliveryPause)
	if err != nil {
		h.Log.Warn("read who paused delivery", "err", err)
	} else if found {
		pause.By, pause.At = last.Actor, last.At
	}
	c.Request = c.Request.WithContext(views.WithDeliveryPause(c.Request.Context(), pause))
	c.Next()
}
