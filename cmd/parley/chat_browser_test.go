package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

// TestBrowserChatErgonomics uses the composer as an operator would: Enter
// sends and Shift+Enter adds a line, the focus comes back to the box, the
// control word chips start the message with their word, the transcript
// follows new messages unless the reader scrolled up (then a pill says so),
// and the start form remembers the work type and integration.
func TestBrowserChatErgonomics(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, map[string]string{"PARLEY_SIM_AGENT_DELAY": "10ms"})

	testkit.Step(t, ctx, "sign in from Tokyo", inTimeZone("Asia/Tokyo"), signIn(srv.URL))
	testkit.Step(t, ctx, "start a session with an integration",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS(`#integration`)),
		testkit.RunJS(`document.getElementById("integration").value = "QA bot"`),
		fillNewSession("45", "Ada"),
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#transcript .msg.agent", "How can I help"),
	)
	var stamp []string
	testkit.Step(t, ctx, "times read in the browser's time zone",
		testkit.Evaluate(`(() => { const el = document.querySelector("#transcript time[data-relative]"); return [el.getAttribute("datetime"), el.textContent, el.title]; })()`, &stamp),
	)
	at, err := time.Parse(time.RFC3339Nano, stamp[0])
	if err != nil {
		t.Fatal(err)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	if want := at.In(tokyo).Format("15:04") + " (just now)"; stamp[1] != want || !strings.HasSuffix(stamp[2], "UTC") {
		t.Errorf("a message's time reads %q (title %q), want %q with the UTC time in the title", stamp[1], stamp[2], want)
	}
	var focused string
	testkit.Step(t, ctx, "Enter sends and the focus comes back to the box",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "first words"),
		chromedp.KeyEvent("\r"),
		testkit.WaitText("#transcript .msg.agent", `You said: "first words"`),
		testkit.Evaluate(`document.activeElement.id`, &focused),
	)
	if focused != "message-text" {
		t.Errorf("after sending, the focus is on %q, want the message box", focused)
	}
	var text string
	testkit.Step(t, ctx, "Shift+Enter adds a line instead",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "line one"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierShift)),
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "line two"),
		testkit.Evaluate(`document.getElementById("message-text").value`, &text),
		chromedp.KeyEvent("\r"),
		testkit.WaitText("#transcript .msg.customer", "line two"),
	)
	if text != "line one\nline two" {
		t.Errorf("Shift+Enter left %q in the box, want two lines", text)
	}
	testkit.Step(t, ctx, "a chip starts the message with its control word",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "please hold"),
		testkit.ClickJS(`.chip[data-insert='#quiet']`),
		testkit.Evaluate(`document.getElementById("message-text").value`, &text),
	)
	if text != "#quiet please hold" {
		t.Errorf("the #quiet chip made %q", text)
	}
	testkit.Step(t, ctx, "a chip for a transfer to a named agent leaves the name to type",
		testkit.RunJS(`document.getElementById("message-text").value = ""`),
		testkit.ClickJS(`.chip[data-insert='#transfer agent ']`),
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "Rita\r"),
		testkit.WaitText("#transcript .msg.system", "Transferred to agent Rita"),
	)

	// Enough for 100 messages with the exchanges above.
	for i := range 45 {
		testkit.Step(t, ctx, fmt.Sprintf("message %d", i),
			chromedp.SendKeys(chromedp.CSS(`#message-text`), fmt.Sprintf("filler %02d\r", i)),
			testkit.WaitText("#transcript .msg.agent", fmt.Sprintf(`You said: "filler %02d"`, i)),
		)
	}
	testkit.Screenshot(t, ctx, "chat-composer")
	const atEnd = `(() => { const c = document.getElementById("transcript"); return c.scrollHeight - c.scrollTop - c.clientHeight < 48; })()`
	var followed, pillHidden bool
	testkit.Step(t, ctx, "the transcript followed the conversation to its end",
		testkit.Evaluate(atEnd, &followed),
		testkit.Evaluate(`document.getElementById("transcript-new").hidden`, &pillHidden),
	)
	if !followed || !pillHidden {
		t.Fatalf("after a long exchange the transcript is at its end: %v, the pill hidden: %v", followed, pillHidden)
	}
	var deskPath, sessionURL string
	var deskAtEnd bool
	testkit.Step(t, ctx, "the desk opens the same conversation at its newest message",
		testkit.Evaluate(`"/sim/desk/" + Array.from(document.querySelectorAll("#session-header dt")).find((dt) => dt.textContent === "Session ID").nextElementSibling.textContent.trim()`, &deskPath),
		testkit.Evaluate(`location.href`, &sessionURL),
	)
	testkit.Step(t, ctx, "open the desk",
		chromedp.Navigate(srv.URL+deskPath),
		chromedp.WaitVisible(chromedp.CSS(`#desk-transcript`)),
		testkit.WaitText("#desk-transcript", "filler 44"),
		testkit.Evaluate(`(() => { const c = document.getElementById("desk-transcript"); return c.scrollHeight > c.clientHeight && c.scrollHeight - c.scrollTop - c.clientHeight < 48; })()`, &deskAtEnd),
		chromedp.Navigate(sessionURL),
		chromedp.WaitVisible(chromedp.CSS(`#transcript`)),
	)
	if !deskAtEnd {
		t.Error("the desk opened a long conversation away from its newest message")
	}
	var top float64
	testkit.Step(t, ctx, "a reader who scrolled up keeps their place and sees the pill",
		testkit.RunJS(`document.getElementById("transcript").scrollTop = 0`),
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "while you read\r"),
		testkit.WaitText("#transcript .msg.agent", `You said: "while you read"`),
		testkit.WaitJS(`!document.getElementById("transcript-new").hidden`, "the New messages pill"),
		testkit.Evaluate(`document.getElementById("transcript").scrollTop`, &top),
	)
	if top != 0 {
		t.Errorf("the transcript moved to %v under a reader who scrolled up", top)
	}
	testkit.Step(t, ctx, "the pill takes them to the newest message",
		testkit.ClickJS(`#transcript-new`),
		testkit.WaitJS(atEnd, "the transcript at its end"),
		testkit.WaitJS(`document.getElementById("transcript-new").hidden`, "the pill gone"),
	)

	var shown []string
	var rowHeight float64
	testkit.Step(t, ctx, "the Events panel narrows to one type, one short row each",
		chromedp.SetValue(chromedp.CSS(`#event-filter`), "AGENT_JOINED"),
		testkit.RunJS(`document.getElementById("event-filter").dispatchEvent(new Event("change", {bubbles: true}))`),
		testkit.Evaluate(`Array.from(document.querySelectorAll("#timeline li:not([hidden])"), (li) => li.dataset.type + ": " + li.querySelector(".event-preview").textContent)`, &shown),
		testkit.Evaluate(`document.querySelector("#timeline li:not([hidden])").getBoundingClientRect().height`, &rowHeight),
	)
	if len(shown) != 1 || !strings.HasPrefix(shown[0], "AGENT_JOINED: ") || !strings.HasSuffix(shown[0], " joined") {
		t.Errorf("the AGENT_JOINED filter shows %q", shown)
	}
	if rowHeight > 40 {
		t.Errorf("an event's row is %.0f px high, want one line", rowHeight)
	}
	var dialogText string
	testkit.Step(t, ctx, "Open JSON shows the callback wide",
		testkit.RunJS(`document.querySelector("#timeline li:not([hidden]) details").open = true`),
		testkit.ClickJS(`#timeline li:not([hidden]) [data-json-view]`),
		testkit.WaitJS(`document.getElementById("json-view").open`, "the JSON view open"),
		testkit.Evaluate(`document.getElementById("json-view-body").textContent`, &dialogText),
		testkit.ClickJS(`[data-close-dialog='json-view']`),
		testkit.WaitJS(`!document.getElementById("json-view").open`, "the JSON view closed"),
	)
	if !strings.Contains(dialogText, `"event": "AGENT_JOINED"`) {
		t.Errorf("the JSON view shows %q", dialogText)
	}

	testkit.Step(t, ctx, "pausing delivery puts a banner on every page",
		chromedp.Navigate(srv.URL+"/sim/deliveries"),
		chromedp.WaitVisible(chromedp.CSS(`#pause button`)),
		testkit.ClickJS(`#pause button`),
		testkit.WaitText("#delivery-state", "paused"),
		chromedp.Navigate(srv.URL+"/"),
		testkit.WaitText("#delivery-paused", "Callback delivery is paused by admin since"),
	)
	testkit.Screenshot(t, ctx, "sessions-paused")
	testkit.Step(t, ctx, "at phone width", chromedp.EmulateViewport(390, 844), chromedp.Reload())
	testkit.Screenshot(t, ctx, "sessions-paused-phone")
	testkit.Step(t, ctx, "back to desktop width", chromedp.EmulateViewport(1280, 900))

	var workType, integration string
	testkit.Step(t, ctx, "the start form remembers the work type and integration",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS(`#work-type`)),
		testkit.Evaluate(`document.getElementById("work-type").value`, &workType),
		testkit.Evaluate(`document.getElementById("integration").value`, &integration),
	)
	if workType != "45" || integration != "QA bot" {
		t.Errorf("the start form offers work type %q and integration %q, want 45 and QA bot", workType, integration)
	}
}

// inTimeZone makes the browser run in the time zone, whatever the machine's.
func inTimeZone(zone string) testkit.Act {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	})
}
