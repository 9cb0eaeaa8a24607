package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

func TestBrowserDeskPlaysTheAgent(t *testing.T) {
	console := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, console, "sign in", signIn(srv.URL), chromedp.EmulateViewport(1280, 900))
	testkit.Step(t, console, "start a session as the customer",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		fillNewSession("32", "Grace Customer"),
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#live-status", "Live"),
		testkit.RunJS(`window.__noReload = true`),
	)

	// A second browser is the person playing the agent: both stay in the
	// foreground, as two people's screens would.
	desk := testkit.NewBrowser(t)
	testkit.Step(t, desk, "sign in at the desk", signIn(srv.URL), chromedp.EmulateViewport(1280, 900))
	var sessionURL string
	testkit.Step(t, desk, "find the session on the desk",
		chromedp.Navigate(srv.URL+"/sim/desk"),
		testkit.WaitText("#desk-rows", "Grace Customer"),
		testkit.Evaluate(`document.querySelector("#desk-rows a").href`, &sessionURL),
	)
	testkit.Screenshot(t, desk, "desk")
	testkit.Step(t, desk, "open it and take it over",
		chromedp.Navigate(sessionURL),
		testkit.WaitText("#take-over", "Take over"),
		testkit.WaitText("#live-status", "Live"),
		testkit.ClickJS(`#take-over button`),
		testkit.WaitText("#hand-back", "Hand back"),
	)
	testkit.Step(t, console, "the customer writes",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "Is a person there?"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		testkit.WaitText("#transcript .msg.customer", "sent"),
	)
	testkit.Step(t, desk, "the message appears on the desk",
		testkit.WaitText("#desk-transcript", "Is a person there?"),
	)
	testkit.Step(t, desk, "the person replies",
		chromedp.SendKeys(chromedp.CSS(`#reply-text`), "Yes, a real one. How can I help?"),
		chromedp.Click(chromedp.CSS(`#desk-reply button[type=submit]`)),
		testkit.WaitText("#desk-transcript", "Yes, a real one."),
	)
	testkit.Step(t, console, "the reply appears in the console",
		testkit.WaitText("#transcript .msg.agent", "Yes, a real one. How can I help?"),
	)
	testkit.Screenshot(t, desk, "desk-session")
	testkit.Step(t, desk, "transfer to another agent",
		chromedp.SendKeys(chromedp.CSS(`#transfer-agent`), "Rita"),
		chromedp.Click(chromedp.CSS(`#desk-transfer button[type=submit]`)),
	)
	testkit.Step(t, console, "the transfer shows in the console",
		testkit.WaitText("#transcript .msg.system", "Transferred to agent Rita"),
		testkit.WaitText("#session-agent", "Rita"),
	)
	testkit.Step(t, desk, "end the session",
		testkit.AnswerConfirm(true),
		chromedp.Click(chromedp.CSS(`#desk-end button[type=submit]`)),
		testkit.WaitText("#desk-state", "ended"),
	)
	testkit.Step(t, console, "the console shows Ended",
		testkit.WaitText("#session-state", "Ended"),
	)
	testkit.Screenshot(t, console, "console-session")
	var noReload bool
	testkit.Step(t, console, "no reload", testkit.Evaluate(`window.__noReload === true`, &noReload))
	if !noReload {
		t.Error("the console reloaded")
	}
	testkit.Step(t, desk, "the delivery log shows every callback",
		chromedp.Navigate(srv.URL+"/sim/deliveries"),
		testkit.WaitText("#deliveries", "SESSION_END"),
		testkit.WaitText("#deliveries", "SESSION_REROUTE"),
		testkit.WaitText("#deliveries", "Pause delivery"),
	)
	testkit.Screenshot(t, desk, "deliveries")
	testkit.Step(t, console, "the list", chromedp.Navigate(srv.URL+"/"), testkit.WaitText("#session-rows", "Grace Customer"))
	testkit.Screenshot(t, console, "sessions")
	testkit.Step(t, console, "the audit trail", chromedp.Navigate(srv.URL+"/admin/audit"), testkit.WaitText("#audit-rows", "session-start"))
	testkit.Screenshot(t, console, "audit")
	testkit.Step(t, console, "the users page", chromedp.Navigate(srv.URL+"/admin/users"), testkit.WaitText("#user-rows", "admin"))
	testkit.Screenshot(t, console, "users")
	testkit.Step(t, console, "on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/"),
		testkit.WaitText("#session-rows", "Grace Customer"),
	)
	testkit.Screenshot(t, console, "phone-sessions")
	var consoleURL string
	testkit.Step(t, console, "find the session", testkit.Evaluate(`document.querySelector("#session-rows a").href`, &consoleURL))
	testkit.Step(t, console, "a session on a phone", chromedp.Navigate(consoleURL), testkit.WaitText("#session-state", "Ended"))
	testkit.Screenshot(t, console, "phone-session")
}
