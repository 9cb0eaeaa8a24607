package views

import (
	"strings"
	"testing"

	"github.com/parley-dev/parley/simulator"
)

// Until the customer has written, the desk's Fail list says so and cannot
// be sent, rather than showing an empty list; then it lists the messages.
func TestDeskFailChoicesSayWhenThereIsNothingToFail(t *testing.T) {
	render := func(d DeskSessionData) string {
		var b strings.Builder
		if err := DeskFailChoices(d).Render(t.Context(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	empty := render(DeskSessionData{Transcript: []simulator.Entry{{Role: simulator.RoleAgent, Text: "Hello"}}})
	for _, want := range []string{`required`, `<option value="" disabled selected>No customer message yet</option>`} {
		if !strings.Contains(empty, want) {
			t.Errorf("with no customer message the list lacks %q:\n%s", want, empty)
		}
	}
	one := render(DeskSessionData{Transcript: []simulator.Entry{{Role: simulator.RoleCustomer, MessageID: "m-12345678", Text: "Where is my order?"}}})
	if strings.Contains(one, "No customer message yet") || !strings.Contains(one, `value="m-12345678"`) {
		t.Errorf("with a customer message the list is wrong:\n%s", one)
	}
}
