package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionNew(c *gin.Context) {
	choices, err := h.connectionChoices(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	form := views.StartForm{Integration: "Parley"}
	if len(choices) > 0 {
		form.Connection = choices[0].Slug // the first enabled one
	}
	h.render(c, http.StatusOK, views.NewSessionPage(h.page("Start a session", "sessions"), form, nil, choices))
}

// connectionChoices are the enabled connections, in the list's order; none
// when the console has no connections service (one fixed Alvaria).
func (h *handler) connectionChoices(c *gin.Context) ([]views.ConnectionChoice, error) {
	if h.Connections == nil {
		return nil, nil
	}
	list, err := h.Connections.List(c.Request.Context())
	if err != nil {
		return nil, err
	}
	var out []views.ConnectionChoice
	for _, conn := range list {
		if !conn.Disabled {
			out = append(out, views.ConnectionChoice{Slug: conn.Slug, Name: conn.Name, DefaultWorkType: conn.DefaultWorkType})
		}
	}
	return out, nil
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
	choices, err := h.connectionChoices(c)
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, p.Status, views.NewSessionPage(h.page("Start a session", "sessions"), views.StartForm(form), startErr, choices))
}
