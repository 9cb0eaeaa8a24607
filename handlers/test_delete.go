package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// testDelete removes a saved test once the person ticked the confirmation;
// its runs stay readable.
func (h *handler) testDelete(c *gin.Context) {
	id, err := newDeleteTestForm(c.Request, c.Param("id")).Validate()
	if err == nil {
		err = h.Runs.DeleteTest(c.Request.Context(), id, h.actor(c))
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/tests")
}
