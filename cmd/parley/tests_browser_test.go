package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

// orderScript passes on the embedded simulator; its wait keeps the run
// going while the page watches it.
const orderScript = `name: Order status
workTypeId: "32"
contactName: "Order test {{run}}"
timeout: 10s
steps:
  - expect: agent_joined
  - expect: agent_message
    contains: "How can I help"
  - wait: 1s
  - say: "Where is my order 1234?"
  - expect: agent_message
    contains: "1234"
  - end: true
  - expect: session_ended
`

// shots takes the page at a desktop's width and a phone's, when
// PARLEY_SCREENSHOTS asks for pictures.
func shots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range []struct {
		suffix string
		width  int64
	}{{"phone", 390}, {"desktop", 1280}} {
		testkit.Step(t, ctx, "size the window for "+name, chromedp.EmulateViewport(w.width, 900))
		testkit.Screenshot(t, ctx, name+"-"+w.suffix)
	}
}

// runAndWatch presses Run on a test's page and waits on the run's page,
// without a reload, for the run to end with status.
func runAndWatch(status string) testkit.Act {
	return chromedp.Steps(
		testkit.ClickJS(`form.run-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#steps`)),
		testkit.RunJS(`window.__noReload = true`),
		testkit.WaitText("#live-status", "Live"),
		testkit.WaitText("#run-summary .badge", status),
	)
}

func TestBrowserConversationTests(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in", signIn(srv.URL))
	testkit.Step(t, ctx, "the empty Tests page says what to do",
		chromedp.Navigate(srv.URL+"/"),
		testkit.ClickJS(`nav a[href='/tests']`),
		chromedp.WaitVisible(chromedp.CSS(`.empty a[href='/tests/new']`)),
		testkit.WaitText("main", "No tests yet"),
	)
	shots(t, ctx, "tests-empty")
	testkit.Step(t, ctx, "the editor starts with a working example beside the help",
		testkit.ClickJS(`a[href='/tests/new']`),
		chromedp.WaitVisible(chromedp.CSS(`aside.help`)),
		testkit.WaitText("aside.help", "agent_message"),
		testkit.WaitText("#test-scenario", "How can I help"),
	)
	shots(t, ctx, "test-editor")
	testkit.Step(t, ctx, "an invalid scenario comes back with each problem and its line",
		chromedp.SetValue(chromedp.CSS(`#test-scenario`), strings.Replace(orderScript, "expect: agent_joined", "expect: agent_smiled", 1)+"  - wait: forever\n"),
		chromedp.SendKeys(chromedp.CSS(`#test-name`), "Order status"),
		testkit.ClickJS(`form[action='/tests'] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#test-error`)),
		testkit.WaitText("#test-error", "The scenario has 2 problems"),
		testkit.WaitText("#test-error li", "Line 6, column"),
		testkit.WaitText("#test-error li", "Line 15, column"),
		testkit.WaitText("#test-scenario", "agent_smiled"),
	)
	shots(t, ctx, "test-editor-problems")
	testkit.Step(t, ctx, "save the corrected test",
		chromedp.SetValue(chromedp.CSS(`#test-scenario`), orderScript),
		testkit.ClickJS(`form[action='/tests'] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.listing`)),
		testkit.WaitText("h1", "Order status"),
		testkit.WaitText(".listing", `contains: "How can I help"`),
		testkit.WaitText("main", "No runs yet"),
	)
	testkit.Step(t, ctx, "run it and watch every step pass live", runAndWatch("passed"))
	var passed, steps int
	var noReload bool
	testkit.Step(t, ctx, "count the passed steps",
		testkit.Evaluate(`document.querySelectorAll("#steps .step").length`, &steps),
		testkit.Evaluate(`document.querySelectorAll("#steps .step-passed").length`, &passed),
		testkit.Evaluate(`window.__noReload === true`, &noReload),
	)
	if steps != 8 || passed != steps || !noReload {
		t.Fatalf("after the run: %d of %d steps passed, live without reload %v; want all 8", passed, steps, noReload)
	}

	testkit.Step(t, ctx, "make a step fail",
		testkit.ClickJS(`.page-head a.muted`),
		chromedp.WaitVisible(chromedp.CSS(`a.button[href$='/edit']`)),
		testkit.ClickJS(`a[href$='/edit']`),
		chromedp.WaitVisible(chromedp.CSS(`#test-scenario`)),
		chromedp.SetValue(chromedp.CSS(`#test-scenario`), strings.Replace(orderScript, `contains: "1234"`, `contains: "refund approved"`+"\n    within: 2s", 1)),
		testkit.ClickJS(`main form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.listing`)),
		testkit.WaitText(".listing", "refund approved"),
		runAndWatch("failed"),
		testkit.WaitText("#step-5 .step-diff", "Expected"),
		testkit.WaitText("#step-5 .step-diff", "refund approved"),
		testkit.WaitText("#step-5 .step-diff", "Arrived instead"),
		testkit.WaitText("#step-6 .badge", "skipped"),
		testkit.WaitText("#run-reason", "Step 5"),
	)
	shots(t, ctx, "run-failed")

	testkit.Step(t, ctx, "three more runs fill the history and the chart live",
		testkit.ClickJS(`.page-head a.muted`),
		chromedp.WaitVisible(chromedp.CSS(`#run-count`)),
		chromedp.SetValue(chromedp.CSS(`#run-count`), "3"),
		testkit.ClickJS(`form.run-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#run-rows tr:nth-child(5)`)),
		testkit.WaitText("#live-status", "Live"),
		testkit.WaitCount(`#run-rows .badge.run-failed`, 4),
		testkit.WaitText("#run-chart .chart-summary", "1 of 5 finished runs"),
		testkit.WaitCount(`#run-chart rect.bar.failed`, 4),
	)
	shots(t, ctx, "test-page")
	testkit.Step(t, ctx, "the Tests page shows the last result and pass rate",
		testkit.ClickJS(`nav a[href='/tests']`),
		chromedp.WaitVisible(chromedp.CSS(`.page-head a[href='/tests/new']`)),
		testkit.WaitText("tbody", "Order status"),
		testkit.WaitText("tbody .badge", "failed"),
		testkit.WaitText("tbody td.num", "20%"),
	)
	shots(t, ctx, "tests")
}

func TestBrowserSaveAsTest(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in", signIn(srv.URL))
	testkit.Step(t, ctx, "have a conversation by hand",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		fillNewSession("32", "Grace"),
		chromedp.WaitVisible(chromedp.CSS(`#session-state`)),
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#transcript .msg.agent", "How can I help"),
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "Where is my order 1234?"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		testkit.WaitText("#transcript .msg.agent", "1234"),
		testkit.AnswerConfirm(true),
		testkit.ClickJS(`#end-session button`),
		testkit.WaitText("#session-state", "Ended"),
	)
	testkit.Step(t, ctx, "Save as test opens the editor with the conversation as a script",
		testkit.ClickJS(`#save-as-test`),
		chromedp.WaitVisible(chromedp.CSS(`#test-scenario`)),
		testkit.WaitText("h1", "New test"),
		testkit.WaitText("#test-scenario", `say: "Where is my order 1234?"`),
		testkit.WaitText("#test-scenario", "expect: session_ended"),
	)
	shots(t, ctx, "test-editor-from-session")
	testkit.Step(t, ctx, "save the replay",
		testkit.ClickJS(`form[action='/tests'] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#run-count`)),
		testkit.WaitText("h1", "Grace"),
	)
	testkit.Step(t, ctx, "the replay runs green", runAndWatch("passed"))
	testkit.Step(t, ctx, "its session says which run drove it",
		testkit.ClickJS(`#run-transcript`),
		chromedp.WaitVisible(chromedp.CSS(`#session-run`)),
		testkit.WaitText("#session-run", "Session of test run"),
	)
	shots(t, ctx, "run-session")
	testkit.Step(t, ctx, "and links back to it",
		testkit.ClickJS(`#session-run a`),
		chromedp.WaitVisible(chromedp.CSS(`#run-summary`)),
		testkit.WaitText("#run-summary .badge", "passed"),
	)
}
