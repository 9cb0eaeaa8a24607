package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshot saves the page to $PARLEY_SCREENSHOTS/name.png when that is
// set, for looking at the console as a user would; otherwise it does nothing.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

func TestBrowserDeskPlaysTheAgent(t *testing.T) {
	console := newBrowser(t)
	srv := startConsole(t, nil)

	step(t, console, "sign in", signIn(srv.URL), chromedp.EmulateViewport(1280, 900))
	step(t, console, "start a session as the customer",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS(`#work-type`)),
		chromedp.SendKeys(chromedp.CSS(`#work-type`), "32"),
		chromedp.SendKeys(chromedp.CSS(`#contact-name`), "Grace Customer"),
		chromedp.Click(chromedp.CSS(`form[action="/sessions"] button[type=submit]`)),
		waitText("#session-state", "Connected"),
		waitText("#live-status", "Live"),
		runJS(`window.__noReload = true`),
	)

	// A second browser is the person playing the agent: both stay in the
	// foreground, as two people's screens would.
	desk := newBrowser(t)
	step(t, desk, "sign in at the desk", signIn(srv.URL), chromedp.EmulateViewport(1280, 900))
	var sessionURL string
	step(t, desk, "find the session on the desk",
		chromedp.Navigate(srv.URL+"/sim/desk"),
		waitText("#desk-rows", "Grace Customer"),
		evaluate(`document.querySelector("#desk-rows a").href`, &sessionURL),
	)
	screenshot(t, desk, "desk")
	step(t, desk, "open it and take it over",
		chromedp.Navigate(sessionURL),
		waitText("#take-over", "Take over"),
		waitText("#live-status", "Live"),
		clickJS(`#take-over button`),
		waitText("#hand-back", "Hand back"),
	)
	step(t, console, "the customer writes",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "Is a person there?"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		waitText("#transcript .msg.customer", "sent"),
	)
	step(t, desk, "the message appears on the desk",
		waitText("#desk-transcript", "Is a person there?"),
	)
	step(t, desk, "the person replies",
		chromedp.SendKeys(chromedp.CSS(`#reply-text`), "Yes, a real one. How can I help?"),
		chromedp.Click(chromedp.CSS(`#desk-reply button[type=submit]`)),
		waitText("#desk-transcript", "Yes, a real one."),
	)
	step(t, console, "the reply appears in the console",
		waitText("#transcript .msg.agent", "Yes, a real one. How can I help?"),
	)
	screenshot(t, desk, "desk-session")
	step(t, desk, "transfer to another agent",
		chromedp.SendKeys(chromedp.CSS(`#transfer-agent`), "Rita"),
		chromedp.Click(chromedp.CSS(`#desk-transfer button[type=submit]`)),
	)
	step(t, console, "the transfer shows in the console",
		waitText("#transcript .msg.system", "Transferred to agent Rita"),
		waitText("#session-agent", "Rita"),
	)
	step(t, desk, "end the session",
		chromedp.Click(chromedp.CSS(`#desk-end button[type=submit]`)),
		waitText("#desk-state", "ended"),
	)
	step(t, console, "the console shows Ended",
		waitText("#session-state", "Ended"),
	)
	screenshot(t, console, "console-session")
	var noReload bool
	step(t, console, "no reload", evaluate(`window.__noReload === true`, &noReload))
	if !noReload {
		t.Error("the console reloaded")
	}
	step(t, desk, "the delivery log shows every callback",
		chromedp.Navigate(srv.URL+"/sim/deliveries"),
		waitText("#deliveries", "SESSION_END"),
		waitText("#deliveries", "SESSION_REROUTE"),
		waitText("#deliveries", "Pause delivery"),
	)
	screenshot(t, desk, "deliveries")
	step(t, console, "the list", chromedp.Navigate(srv.URL+"/"), waitText("#session-rows", "Grace Customer"))
	screenshot(t, console, "sessions")
	step(t, console, "the audit trail", chromedp.Navigate(srv.URL+"/admin/audit"), waitText("#audit-rows", "session-start"))
	screenshot(t, console, "audit")
	step(t, console, "the users page", chromedp.Navigate(srv.URL+"/admin/users"), waitText("#user-rows", "admin"))
	screenshot(t, console, "users")
	step(t, console, "on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/"),
		waitText("#session-rows", "Grace Customer"),
	)
	screenshot(t, console, "phone-sessions")
	var consoleURL string
	step(t, console, "find the session", evaluate(`document.querySelector("#session-rows a").href`, &consoleURL))
	step(t, console, "a session on a phone", chromedp.Navigate(consoleURL), waitText("#session-state", "Ended"))
	screenshot(t, console, "phone-session")
}
