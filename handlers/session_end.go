package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
)

func (h *handler) sessionEnd(c *gin.Context) {
	sessionID := c.Param("id")
	err := h.Sessions.EndSession(c.Request.Context(), sessionID, h.actor(c))
	var alvErr *conversation.AlvariaError
	status, problem := http.StatusOK, ""
	switch {
	case err == nil:
	case errors.Is(err, conversation.ErrNotFound):
		status, problem = http.StatusNotFound, "There is no session with this address."
	case errors.As(err, &alvErr):
		h.Log.Warn("end session refused", "err", err)
		status, problem = http.StatusBadGateway, alvErr.Error()
	default:
		h.Log.Error("end session", "err", err)
		status, problem = http.StatusInternalServerError, "The session could not be ended. Try again in a moment."
	}
	if isAsync(c) {
		c.JSON(status, asyncReply{Error: problem})
		return
	}
	if problem != "" {
		h.fail(c, status, problem, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+sessionID)
}
