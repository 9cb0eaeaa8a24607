package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

// TestBrowserPhoneWidth opens every console page at a phone's width (390
// px): none scrolls sideways, and the top bar's links sit behind a Menu
// button that opens them.
func TestBrowserPhoneWidth(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in and start a session", signIn(srv.URL),
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
	testkit.Step(t, ctx, "a phone's width", chromedp.EmulateViewport(390, 844))

	pages := []string{"/", "/sessions/new", sessionPath, "/tests", "/tests/new", "/monitoring", "/sim/desk", deskPath, "/sim/deliveries", "/admin/users", "/admin/audit", "/account"}
	for _, p := range pages {
		var wide bool
		var overflow string
		testkit.Step(t, ctx, "open "+p,
			chromedp.Navigate(srv.URL+p),
			chromedp.WaitVisible(chromedp.CSS(`main`)),
			testkit.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &wide),
			// What sticks out, to say where to look.
			testkit.Evaluate(`Array.from(document.querySelectorAll("main *")).filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 3).map((el) => el.tagName + "#" + el.id + "." + el.className).join(", ")`, &overflow),
		)
		if wide {
			t.Errorf("%s scrolls sideways at 390 px: %s", p, overflow)
		}
		testkit.Screenshot(t, ctx, "phone"+strings.ReplaceAll(p, "/", "_"))
	}

	var cards []string
	testkit.Step(t, ctx, "lists become stacked cards",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#session-rows`)),
		testkit.Evaluate(`[getComputedStyle(document.querySelector("table.cards thead")).display, getComputedStyle(document.querySelector("#session-rows tr")).display, getComputedStyle(document.querySelector("#session-rows td[data-label='Agent']"), "::before").content]`, &cards),
	)
	if len(cards) != 3 || cards[0] != "none" || cards[1] != "block" || cards[2] != `"Agent"` {
		t.Errorf("at phone width the sessions list is not cards: thead %q, row %q, label %q", cards[0], cards[1], cards[2])
	}

	var headerFirst bool
	testkit.Step(t, ctx, "on a session page the state and End session come before the message box",
		chromedp.Navigate(srv.URL+sessionPath),
		chromedp.WaitVisible(chromedp.CSS(`#message-text`)),
		testkit.Evaluate(`document.getElementById("end-session").getBoundingClientRect().bottom < document.getElementById("message-text").getBoundingClientRect().top`, &headerFirst),
	)
	if !headerFirst {
		t.Error("at phone width End session is below the message box")
	}

	var navShown bool
	testkit.Step(t, ctx, "the links are behind Menu until it is opened",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.menu-button`)),
		testkit.Evaluate(`getComputedStyle(document.getElementById("topbar-menu")).display !== "none"`, &navShown),
	)
	if navShown {
		t.Error("at phone width the top bar's links show before Menu is opened")
	}
	testkit.Step(t, ctx, "Menu opens them, and Admin the admin pages in place",
		testkit.ClickJS(`.menu-button`),
		chromedp.WaitVisible(chromedp.CSS(`#topbar-menu a[href="/tests"]`)),
		testkit.ClickJS(`#admin-menu summary`),
		testkit.WaitJS(`document.querySelector("#admin-menu a[href='/admin/users']").checkVisibility()`, "Users shown"),
	)
	testkit.Screenshot(t, ctx, "phone_menu")
	testkit.Step(t, ctx, "a link in the menu opens its page",
		testkit.ClickJS(`#topbar-menu a[href='/tests']`),
		testkit.WaitText("h1", "Tests"),
	)
}
