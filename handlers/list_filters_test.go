package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store/storetest"
)

// The list's extra filters come from the address, narrow the list, stay
// filled in (with their panel open), and a value too long is refused by name.
func TestSessionsListTakesTheMoreFilters(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	a.startSession(t, admin)

	code, page := admin.Get(t, "/?work_type=32&started_by=admin")
	if code != http.StatusOK || !strings.Contains(page, `value="32"`) || !strings.Contains(page, `<details class="more-filters" open`) || !strings.Contains(page, ">Ada<") {
		t.Fatalf("filtered list = %d, filled in and showing Ada: %v", code, strings.Contains(page, ">Ada<"))
	}
	if _, page := admin.Get(t, "/?work_type=99"); strings.Contains(page, ">Ada<") {
		t.Error("a work type filter that matches nothing still lists Ada")
	}
	if _, page := admin.Get(t, "/?failed=1"); strings.Contains(page, ">Ada<") {
		t.Error("Has failed messages lists a session without any")
	}
	code, page = admin.Get(t, "/?agent="+strings.Repeat("x", 201))
	if code != http.StatusBadRequest || !strings.Contains(page, "Agent is 201 characters long") {
		t.Errorf("a 201-character agent = %d", code)
	}
}
