package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/views"
)

// testNew opens the editor with the example, or, from a session's "Save as
// test", with that conversation written as a script, unsaved.
func (h *handler) testNew(c *gin.Context) {
	form := views.TestForm{Scenario: views.ExampleScenario}
	if from := c.Query("from"); from != "" {
		script, err := h.Sessions.ScenarioFromSession(c.Request.Context(), from)
		if err != nil {
			h.respondError(c, err)
			return
		}
		form.Scenario, form.FromSession = script, from
	}
	h.render(c, http.StatusOK, views.TestFormPage(h.page("New test", "tests"), form, nil))
}

func (h *handler) testEdit(c *gin.Context) {
	t, err := h.Runs.GetTest(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, http.StatusOK, views.TestFormPage(h.page("Edit "+t.Name, "tests"), views.TestForm{ID: t.ID, Name: t.Name, Scenario: t.Scenario}, nil))
}

func (h *handler) testCreate(c *gin.Context) { h.testSave(c, newTestForm(c.Request, "")) }

func (h *handler) testUpdate(c *gin.Context) { h.testSave(c, newTestForm(c.Request, c.Param("id"))) }

// testSave stores the test and opens its page, or shows the editor again
// with what the user wrote and every problem with its line.
func (h *handler) testSave(c *gin.Context, form testForm) {
	in, err := form.Validate(h.actor(c))
	var t runs.Test
	if err == nil {
		t, err = h.Runs.SaveTest(c.Request.Context(), in)
	}
	if err != nil {
		p := h.problemFor(c, err)
		if p.Status == http.StatusNotFound || p.Status >= http.StatusInternalServerError {
			h.respondProblem(c, p)
			return
		}
		formErr := &views.TestFormError{Message: p.Message, Problems: p.Problems}
		h.render(c, p.Status, views.TestFormPage(h.page("Fix the test", "tests"), views.TestForm(form), formErr))
		return
	}
	c.Redirect(http.StatusSeeOther, "/tests/"+t.ID)
}
