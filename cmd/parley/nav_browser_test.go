package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/parley-dev/parley/internal/testkit"
)

// TestBrowserNavOneLine opens every console page at 1280 px as an admin on
// the simulator, who sees the most links: the top bar stays one line, and
// the admin pages sit behind an Admin menu that the keyboard opens and
// Escape closes.
func TestBrowserNavOneLine(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in at 1280 px and start a session",
		chromedp.EmulateViewport(1280, 900),
		signIn(srv.URL),
		chromedp.Navigate(srv.URL+"/sessions/new"),
		fillNewSession("32", "Ada"),
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#transcript .msg.agent", "How can I help"),
	)
	var sessionPath, deskPath string
	testkit.Step(t, ctx, "find the session's pages",
		testkit.Evaluate(`location.pathname`, &sessionPath),
		chromedp.Navigate(srv.URL+"/sim/desk"),
		testkit.Evaluate(`document.querySelector("#desk-rows a[href^='/sim/desk/']").getAttribute("href")`, &deskPath),
	)

	// The bar's content box against one link's height: two lines would
	// be at least twice as high.
	const lines = `(() => {
		const inner = document.querySelector(".topbar-inner"), style = getComputedStyle(inner);
		const content = inner.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
		return content / document.querySelector(".nav a").getBoundingClientRect().height;
	})()`
	pages := []string{"/", "/sessions/new", sessionPath, "/tests", "/monitoring", "/sim/desk", deskPath, "/sim/deliveries", "/admin/users", "/admin/connections", "/admin/audit", "/account"}
	for _, p := range pages {
		var ratio float64
		testkit.Step(t, ctx, "open "+p,
			chromedp.Navigate(srv.URL+p),
			chromedp.WaitVisible(chromedp.CSS(`main`)),
			testkit.Evaluate(lines, &ratio),
		)
		if ratio >= 2 {
			t.Errorf("%s: the top bar is %.1f links high at 1280 px, not one line", p, ratio)
		}
		testkit.Screenshot(t, ctx, "desktop"+strings.ReplaceAll(p, "/", "_"))
	}

	var shown bool
	testkit.Step(t, ctx, "the admin pages are behind Admin",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#admin-menu summary`)),
		testkit.Evaluate(`document.getElementById("admin-menu").open || document.querySelector("#admin-menu a[href='/admin/users']").checkVisibility()`, &shown),
	)
	if shown {
		t.Error("Users shows before Admin is opened")
	}
	testkit.Step(t, ctx, "the keyboard opens Admin and Escape closes it",
		chromedp.Focus(chromedp.CSS(`#admin-menu summary`)),
		chromedp.KeyEvent(kb.Enter),
		testkit.WaitJS(`document.querySelector("#admin-menu a[href='/admin/audit']").checkVisibility()`, "Audit shown"),
		chromedp.KeyEvent(kb.Escape),
		testkit.WaitJS(`!document.getElementById("admin-menu").open`, "Admin closed"),
		testkit.WaitJS(`document.activeElement === document.querySelector("#admin-menu summary")`, "the focus back on Admin"),
	)
	testkit.Step(t, ctx, "a link in it opens its page, and Admin shows where you are",
		testkit.ClickJS(`#admin-menu summary`),
		testkit.WaitJS(`document.querySelector("#admin-menu a[href='/admin/audit']").checkVisibility()`, "Audit shown"),
		testkit.ClickJS(`#admin-menu a[href='/admin/audit']`),
		testkit.WaitText("h1", "Audit"),
		chromedp.WaitVisible(chromedp.CSS(`#admin-menu summary.current`)),
	)
	testkit.Step(t, ctx, "a click elsewhere closes it",
		testkit.ClickJS(`#admin-menu summary`),
		testkit.WaitJS(`document.getElementById("admin-menu").open`, "Admin open"),
		chromedp.MouseClickXY(600, 700),
		testkit.WaitJS(`!document.getElementById("admin-menu").open`, "Admin closed"),
	)
}
