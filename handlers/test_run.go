package handlers

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/runs"
)

// testRun queues runs of a test; one run opens its page to watch it, more
// go back to the test's history.
func (h *handler) testRun(c *gin.Context) {
	in, err := newRunForm(c.Request, c.Param("id")).Validate(h.actor(c))
	var rs []runs.Run
	if err == nil {
		rs, err = h.Runs.StartRuns(c.Request.Context(), in)
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	if len(rs) == 1 {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/runs/%d", rs[0].ID))
		return
	}
	c.Redirect(http.StatusSeeOther, "/tests/"+in.TestID)
}
