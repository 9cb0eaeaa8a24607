package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) messageSend(c *gin.Context) {
	form := newMessageForm(c.Request)
	sessionID := c.Param("id")
	in, err := form.Validate(h.actor(c))
	var m conversation.Message
	if err == nil {
		m, err = h.Sessions.SendMessage(c.Request.Context(), sessionID, in)
	}
	if !isAsync(c) {
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/sessions/"+sessionID)
			return
		}
		p := h.problemFor(c, err)
		h.showSession(c, p.Status, views.MessageForm(form), p.Message)
		return
	}
	p := problem{Status: http.StatusOK}
	if err != nil {
		p = h.problemFor(c, err)
	}
	reply := asyncReply{Error: p.Message, Redirect: p.Redirect}
	if m.ID != 0 {
		// The message exists even when sending failed: show it with its state.
		html, err := renderHTML(c.Request.Context(), views.MessageItem(m, m.CreatedAt))
		if err != nil {
			h.Log.Error("render message", "request_id", requestID(c), "err", err)
		} else {
			reply.Items = append(reply.Items, item{ID: views.MessageElementID(m.ID), Into: "transcript", HTML: html})
		}
	}
	c.JSON(p.Status, reply)
}
