package handlers

import (
	"bytes"
	"context"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
)

// item is one piece of server-rendered HTML for the page script to place:
// it replaces the element with ID, or is inserted into the element Into.
type item struct {
	ID    string `json:"id"`
	Into  string `json:"into"`
	HTML  string `json:"html"`
	First bool   `json:"first,omitempty"`
}

// asyncReply is the answer to a form the page script sent in the background.
type asyncReply struct {
	Items    []item `json:"items,omitempty"`
	Error    string `json:"error,omitempty"`
	Redirect string `json:"redirect,omitempty"`
}

// isAsync reports whether the page script sent the form; without script the
// same endpoints answer with a redirect or a re-rendered page.
func isAsync(c *gin.Context) bool {
	return c.GetHeader("X-Parley-Async") == "1"
}

func renderHTML(ctx context.Context, comp templ.Component) (string, error) {
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}
