package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
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
