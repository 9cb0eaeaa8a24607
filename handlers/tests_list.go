package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/views"
)

func (h *handler) testsList(c *gin.Context) {
	tests, err := h.Runs.ListTests(c.Request.Context())
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, http.StatusOK, views.TestsPage(views.TestsPageData{Page: h.page("Tests", "tests"), Tests: tests, Now: time.Now()}))
}
