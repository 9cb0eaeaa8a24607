package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) messageSend(c *gin.Context) {
	form := views.MessageForm{
		Text:           c.PostForm("text"),
		AttachmentType: c.PostForm("attachment_type"),
		AttachmentURL:  c.PostForm("attachment_url"),
	}
	sessionID := c.Param("id")
	m, err := h.Sessions.SendMessage(c.Request.Context(), sessionID, conversation.MessageInput{
		Text:           form.Text,
		AttachmentType: form.AttachmentType,
		AttachmentURL:  form.AttachmentURL,
		By:             h.actor(c),
	})
	status, problem := h.sendProblem(err)
	if !isAsync(c) {
		if problem == "" {
			c.Redirect(http.StatusSeeOther, "/sessions/"+sessionID)
			return
		}
		h.showSession(c, status, form, problem)
		return
	}
	reply := asyncReply{Error: problem}
	if m.ID != 0 {
		// The message exists even when sending failed: show it with its state.
		html, err := renderHTML(c.Request.Context(), views.MessageItem(m, m.CreatedAt))
		if err != nil {
			h.Log.Error("render message", "err", err)
		} else {
			reply.Items = append(reply.Items, item{ID: views.MessageElementID(m.ID), Into: "transcript", HTML: html})
		}
	}
	c.JSON(status, reply)
}

// sendProblem maps a send error to a status and the sentence the user sees.
func (h *handler) sendProblem(err error) (int, string) {
	var inputErr *conversation.InputError
	var alvErr *conversation.AlvariaError
	switch {
	case err == nil:
		return http.StatusOK, ""
	case errors.As(err, &inputErr):
		return http.StatusUnprocessableEntity, inputErr.Error()
	case errors.Is(err, conversation.ErrNotFound):
		return http.StatusNotFound, "There is no session with this address."
	case errors.Is(err, conversation.ErrSessionClosed):
		return http.StatusConflict, err.Error()
	case errors.As(err, &alvErr):
		h.Log.Warn("send message refused", "err", err)
		return http.StatusBadGateway, alvErr.Error()
	default:
		h.Log.Error("send message", "err", err)
		return http.StatusInternalServerError, "The message could not be sent. Try again in a moment."
	}
}
