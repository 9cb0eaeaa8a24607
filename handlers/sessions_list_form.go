package handlers

import (
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
)

// listQuery reads the sessions list filters from the query string.
func listQuery(c *gin.Context) conversation.ListQuery {
	return conversation.ListQuery{
		Cursor:  c.Query("after"),
		Search:  c.Query("q"),
		State:   c.Query("state"),
		Verdict: c.Query("verdict"),
		From:    c.Query("from"),
		To:      c.Query("to"),
	}
}
