package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/views"
)

func (h *handler) sessionNew(c *gin.Context) {
	h.render(c, http.StatusOK, views.NewSessionPage(h.page("Start a session", "sessions"), views.StartForm{Integration: "Parley"}, nil))
}

func (h *handler) sessionCreate(c *gin.Context) {
	form := views.StartForm{
		WorkTypeID:  c.PostForm("work_type_id"),
		ContactName: c.PostForm("contact_name"),
		Integration: c.PostForm("integration"),
	}
	s, err := h.Sessions.StartSession(c.Request.Context(), conversation.StartInput{
		WorkTypeID:  form.WorkTypeID,
		ContactName: form.ContactName,
		Integration: form.Integration,
		By:          h.actor(c),
	})
	if err != nil {
		status, startErr := h.startError(c, err)
		h.render(c, status, views.NewSessionPage(h.page("Start a session", "sessions"), form, startErr))
		return
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+s.ID)
}

// startError turns a failed start into what the form shows beside the inputs.
func (h *handler) startError(c *gin.Context, err error) (int, *views.StartError) {
	var inputErr *conversation.InputError
	var alvErr *conversation.AlvariaError
	switch {
	case errors.As(err, &inputErr):
		return http.StatusUnprocessableEntity, &views.StartError{Message: "Check the highlighted field.", Fields: inputErr.Fields}
	case errors.As(err, &alvErr):
		h.Log.Warn("start session refused", "err", err)
		return http.StatusBadGateway, &views.StartError{Message: alvErr.Error(), Status: alvErr.Status, Details: alvErr.Details}
	default:
		h.Log.Error("start session", "err", err)
		return http.StatusInternalServerError, &views.StartError{Message: "The session could not be started. Try again in a moment."}
	}
}
