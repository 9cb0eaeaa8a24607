package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionReview(c *gin.Context) {
	id := c.Param("id")
	in, err := newReviewForm(c.Request).Validate(h.actor(c))
	if err == nil {
		err = h.Sessions.ReviewSession(c.Request.Context(), id, in)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+id+"#review")
}

func (h *handler) messageComment(c *gin.Context) {
	id := c.Param("id")
	messageID, text, err := newCommentForm(c).Validate()
	if err == nil {
		err = h.Sessions.CommentOnMessage(c.Request.Context(), id, messageID, text, h.actor(c))
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+id+"#"+views.MessageElementID(messageID))
}

func (h *handler) sessionTag(c *gin.Context) {
	id := c.Param("id")
	if err := h.Sessions.TagSession(c.Request.Context(), id, c.PostForm("tag"), h.actor(c)); err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+id+"#review")
}

func (h *handler) sessionUntag(c *gin.Context) {
	id := c.Param("id")
	if err := h.Sessions.UntagSession(c.Request.Context(), id, c.PostForm("tag"), h.actor(c)); err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+id+"#review")
}
