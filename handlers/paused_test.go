package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store/storetest"
)

// While callback delivery is paused every console and desk page says so,
// with who paused it; once resumed, none does.
func TestEveryPageSaysWhileDeliveryIsPaused(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	sid := a.startSession(t, admin)
	pages := []string{"/", "/sessions/" + sid, "/sim/desk", "/sim/deliveries", "/tests", "/account"}

	if code, _ := admin.Post(t, "/sim/deliveries/pause", nil); code != http.StatusSeeOther {
		t.Fatalf("pause = %d", code)
	}
	for _, p := range pages {
		code, page := admin.Get(t, p)
		if code != http.StatusOK || !strings.Contains(page, `id="delivery-paused"`) || !strings.Contains(page, "by admin") {
			t.Errorf("%s while paused = %d, banner with who paused: %v", p, code, strings.Contains(page, "by admin"))
		}
	}
	if code, _ := admin.Post(t, "/sim/deliveries/resume", nil); code != http.StatusSeeOther {
		t.Fatalf("resume = %d", code)
	}
	for _, p := range pages {
		if _, page := admin.Get(t, p); strings.Contains(page, `id="delivery-paused"`) {
			t.Errorf("%s still shows the pause banner after resume", p)
		}
	}
}
