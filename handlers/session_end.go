package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *handler) sessionEnd(c *gin.Context) {
	sessionID := c.Param("id")
	if err := h.Sessions.EndSession(c.Request.Context(), sessionID, h.actor(c)); err != nil {
		h.respondError(c, err)
		return
	}
	if isAsync(c) {
		c.JSON(http.StatusOK, asyncReply{})
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+sessionID)
}
