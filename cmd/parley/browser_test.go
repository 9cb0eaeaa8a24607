package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

// startConsole runs `parley serve` on the embedded simulator with quick agents.
func startConsole(t *testing.T, env map[string]string) *server {
	t.Helper()
	addr := testkit.FreeAddr(t)
	all := map[string]string{
		"PARLEY_DATABASE_URL":    "sqlite://" + t.TempDir() + "/parley.db",
		"PARLEY_PUBLIC_URL":      "http://" + addr,
		"PARLEY_SIM_AGENT_DELAY": "100ms",
	}
	for k, v := range env {
		all[k] = v
	}
	srv := startServe(t, all, "--addr", addr)
	return srv
}

// signIn signs in through the form as the first admin.
func signIn(base string) testkit.Act { return testkit.BrowserSignIn(base, "admin", testAdminPassword) }

// fillNewSession fills in and submits the new-session form on the page.
func fillNewSession(workType, contactName string) testkit.Act {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`#work-type`)),
		// The form remembers the last work type; what is typed replaces it.
		testkit.RunJS(`document.getElementById("work-type").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`#work-type`), workType),
		chromedp.SendKeys(chromedp.CSS(`#contact-name`), contactName),
		chromedp.Click(chromedp.CSS(`form[action="/sessions"] button[type=submit]`)),
	)
}

func TestBrowserConversation(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in", signIn(srv.URL))
	testkit.Step(t, ctx, "start a session from the form",
		chromedp.Navigate(srv.URL+"/"),
		testkit.WaitText("main", "No sessions yet"),
		chromedp.Click(chromedp.CSS(`a[href="/sessions/new"]`)),
		fillNewSession("32", "Ada <b>Customer</b>"),
		chromedp.WaitVisible(chromedp.CSS(`#transcript`)),
		// A marker that a reload would wipe: everything after happens live.
		testkit.RunJS(`window.__noReload = true`),
	)
	testkit.Step(t, ctx, "the agent joins and greets without a reload",
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#transcript .msg.agent", ""),
		testkit.WaitText("#transcript .msg.system", "joined the conversation"),
		testkit.WaitText("h1", "Ada <b>Customer</b>"),
	)
	testkit.Step(t, ctx, "send a text and see the echo",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "Hello <script>alert(1)</script> there"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		testkit.WaitText("#transcript .msg.customer", "sent"),
		testkit.WaitText("#transcript .msg.agent", "Hello <script>alert(1)</script> there"),
	)
	imageURL := srv.URL + "/static/parley.css?image.png"
	testkit.Step(t, ctx, "send an Image attachment and see it",
		chromedp.SetValue(chromedp.CSS(`#attachment-type`), "Image"),
		chromedp.SendKeys(chromedp.CSS(`#attachment-url`), imageURL),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#transcript .msg.customer img[src=%q]`, imageURL))),
		testkit.WaitText("#transcript .msg.agent", "Image"),
	)
	testkit.Step(t, ctx, "#transfer reroutes to another agent",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "#transfer"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		testkit.WaitText("#transcript .msg.system", "Transferred to agent"),
	)
	var asked []string
	testkit.Step(t, ctx, "End session asks first, and No keeps the session",
		testkit.AnswerConfirm(false),
		testkit.ClickJS(`#end-session button`),
		testkit.Evaluate(`window.__confirms`, &asked),
		testkit.WaitText("#session-state", "Connected"),
	)
	if len(asked) != 1 || !strings.Contains(asked[0], "End this session?") {
		t.Fatalf("End session asked %q", asked)
	}
	testkit.Step(t, ctx, "end the session and see Ended",
		testkit.AnswerConfirm(true),
		testkit.ClickJS(`#end-session button`),
		testkit.WaitText("#session-state", "Ended"),
		testkit.WaitText("#composer", "no more messages"),
	)
	var noReload bool
	var scripts int
	testkit.Step(t, ctx, "no reload happened and no injected markup ran",
		testkit.Evaluate(`window.__noReload === true`, &noReload),
		testkit.Evaluate(`document.querySelectorAll("#transcript script, #transcript b").length`, &scripts),
	)
	if !noReload {
		t.Error("the page reloaded during the conversation")
	}
	if scripts != 0 {
		t.Errorf("message text became markup: %d elements", scripts)
	}
	testkit.Step(t, ctx, "the list shows the session",
		chromedp.Navigate(srv.URL+"/"),
		testkit.WaitText("#session-rows", "Ada <b>Customer</b>"),
		testkit.WaitText("#session-rows", "Ended"),
	)
}

func TestBrowserCatchesUpAfterTheWebsocketDrops(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in", signIn(srv.URL))
	testkit.Step(t, ctx, "start a session",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		fillNewSession("7", "Grace"),
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#live-status", "Live"),
	)
	var sessionPath string
	testkit.Step(t, ctx, "read the session address", testkit.Evaluate(`location.pathname`, &sessionPath))

	// Cut the websocket and hold the reconnect until the test releases it.
	testkit.Step(t, ctx, "cut the websocket",
		testkit.RunJS(`(() => {
			const Real = window.WebSocket;
			window.__released = false;
			window.WebSocket = function (url) {
				const fake = { close() {} };
				const wait = () => {
					if (!window.__released) { setTimeout(wait, 50); return; }
					const ws = new Real(url);
					ws.onopen = fake.onopen; ws.onmessage = fake.onmessage; ws.onclose = fake.onclose;
					window.Parley.socket = ws;
				};
				setTimeout(wait, 0);
				return fake;
			};
			window.Parley.socket.close();
		})()`),
		testkit.WaitText("#live-status", "Reconnecting"),
	)

	// While the page is away, the customer writes from another tab.
	other := srv.admin(t)
	if code, _ := other.Post(t, sessionPath+"/messages", url.Values{"text": {"sent while you were away"}}); code != http.StatusSeeOther {
		t.Fatalf("send from another tab = %d, want 303", code)
	}
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		_, body := other.Get(t, sessionPath)
		return strings.Contains(body, "You said: &#34;sent while you were away&#34;") || strings.Contains(body, "You said: &quot;sent while you were away&quot;") || strings.Count(body, "sent while you were away") >= 2
	}, "the agent's echo of the message sent from another tab")

	testkit.Step(t, ctx, "reconnect and catch up",
		testkit.RunJS(`window.__released = true`),
		testkit.WaitText("#live-status", "Live"),
		testkit.WaitText("#transcript .msg.agent", "sent while you were away"),
	)
	var customer, agent int
	testkit.Step(t, ctx, "each message appears once",
		testkit.CountText("#transcript .msg.customer", "sent while you were away", &customer),
		testkit.CountText("#transcript .msg.agent", "sent while you were away", &agent),
	)
	if customer != 1 || agent != 1 {
		t.Fatalf("after catching up: %d customer and %d agent copies, want 1 each", customer, agent)
	}
}
