package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionNew(c *gin.Context) {
	h.render(c, http.StatusOK, views.NewSessionPage(h.page("Start a session", "sessions"), views.StartForm{Integration: "Parley"}, nil))
}

func (h *handler) sessionCreate(c *gin.Context) {
	form := newStartForm(c.Request)
	in, err := form.Validate(h.actor(c))
	var s conversation.Session
	if err == nil {
		s, err = h.Sessions.StartSession(c.Request.Context(), in)
	}
	if err != nil {
		h.startFailed(c, form, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+s.ID)
}

// startFailed shows the form again with what the user typed, the reason,
// the fields to mark and, when Alvaria refused, its own answer.
func (h *handler) startFailed(c *gin.Context, form startForm, err error) {
	p := h.problemFor(c, err)
	startErr := &views.StartError{Message: p.Message, Fields: formFields(startFields, p.Fields)}
	if p.Alvaria != nil {
		startErr.Status, startErr.Details = p.Alvaria.Status, p.Alvaria.Details
	}
	h.render(c, p.Status, views.NewSessionPage(h.page("Start a session", "sessions"), views.StartForm(form), startErr))
}
