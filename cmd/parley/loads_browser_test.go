package main

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

// loadScript is short, with a pause that keeps sessions in flight long
// enough for the counters to be seen moving.
const loadScript = `name: Greeting under load
workTypeId: "32"
contactName: "Load test {{run}}"
timeout: 10s
steps:
  - expect: agent_joined
  - say: "Where is my order 1234?"
  - expect: agent_message
    contains: "1234"
  - wait: 300ms
  - end: true
  - expect: session_ended
`

func TestBrowserLoadRun(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, map[string]string{"PARLEY_SIM_AGENT_DELAY": "50ms"})

	testkit.Step(t, ctx, "sign in and save a test",
		signIn(srv.URL),
		chromedp.Navigate(srv.URL+"/tests/new"),
		chromedp.WaitVisible(chromedp.CSS(`#test-scenario`)),
		chromedp.SetValue(chromedp.CSS(`#test-scenario`), loadScript),
		testkit.ClickJS(`form[action='/tests'] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.listing`)),
		testkit.WaitText("h1", "Greeting under load"),
		chromedp.WaitVisible(chromedp.CSS(`form.load-form`)),
	)
	testkit.Step(t, ctx, "start a load run of 40 sessions, 8 at once, over 2s",
		chromedp.SetValue(chromedp.CSS(`#load-sessions`), "40"),
		chromedp.SetValue(chromedp.CSS(`#load-concurrency`), "8"),
		chromedp.SetValue(chromedp.CSS(`#load-ramp`), "2s"),
		testkit.ClickJS(`form.load-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#load-counters`)),
		testkit.RunJS(`window.__noReload = true`),
		testkit.WaitText("#live-status", "Live"),
	)
	var first string
	testkit.Step(t, ctx, "read the counters", testkit.Evaluate(`document.querySelector("#load-started .tile-n").textContent`, &first))
	n, _ := strconv.Atoi(first)
	testkit.Step(t, ctx, "the counters move live",
		testkit.WaitJS(`Number(document.querySelector("#load-started .tile-n").textContent) > `+strconv.Itoa(n), "more sessions started"),
	)
	shots(t, ctx, "load-running")
	testkit.Step(t, ctx, "at the end: the percentile table, the charts and the exports, without a reload",
		chromedp.WaitVisible(chromedp.CSS(`#load-percentiles`)),
		testkit.WaitText("#load-passed .tile-n", "40"),
		testkit.WaitText("#load-percentiles", "Time to AGENT_JOINED"),
		testkit.WaitText("#load-percentiles", "p95"),
		testkit.WaitCount(`svg.load-chart rect.bar.latency`, 1),
		testkit.WaitCount(`svg.load-chart polyline.in-flight`, 1),
		testkit.WaitCount(`a[href$='/export.csv']`, 1),
		testkit.WaitJS(`window.__noReload === true`, "no reload"),
	)
	shots(t, ctx, "load-finished")
	testkit.Step(t, ctx, "the test's page lists the load run",
		testkit.ClickJS(`.page-head a.muted`),
		chromedp.WaitVisible(chromedp.CSS(`form.load-form`)),
		testkit.WaitText("section[aria-label='Load runs']", "finished"),
	)
	shots(t, ctx, "test-page-load")
}
