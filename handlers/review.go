package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
)

func (h *handler) sessionReview(c *gin.Context) {
	id := c.Param("id")
	err := h.Sessions.ReviewSession(c.Request.Context(), id, conversation.ReviewInput{
		Verdict: c.PostForm("verdict"),
		Notes:   c.PostForm("notes"),
		By:      h.actor(c),
	})
	var inputErr *conversation.InputError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/sessions/"+id+"#review")
	case errors.Is(err, conversation.ErrNotFound):
		h.fail(c, http.StatusNotFound, "There is no session with this address.", nil)
	case errors.As(err, &inputErr):
		h.fail(c, http.StatusUnprocessableEntity, "The review was not saved: "+inputErr.Error(), nil)
	default:
		h.fail(c, http.StatusInternalServerError, "The review could not be saved. Try again in a moment.", err)
	}
}
