package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
)

// saveTestInEditor writes a test in the editor and saves it.
func saveTestInEditor(srv string, name, script string) testkit.Act {
	return chromedp.Steps(
		chromedp.Navigate(srv+"/tests/new"),
		chromedp.WaitVisible(chromedp.CSS(`#test-scenario`)),
		testkit.SetValueJS(`#test-scenario`, script),
		testkit.SetValueJS(`#test-name`, name),
		testkit.ClickJS(`form[action='/tests'] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#schedule`)),
		testkit.WaitText("h1", name),
	)
}

// A schedule set on a test's page is refused with its problem when wrong,
// then shows there and on the Monitoring page, with its state, figures
// and sparklines, at a desktop's width and a phone's.
func TestBrowserMonitoring(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)

	testkit.Step(t, ctx, "sign in", signIn(srv.URL))
	testkit.Step(t, ctx, "the empty Monitoring page says what to do",
		testkit.ClickJS(`nav a[href='/monitoring']`),
		testkit.WaitText("main", "No test runs on a schedule yet"),
	)
	testkit.Step(t, ctx, "save a test", saveTestInEditor(srv.URL, "Order status", orderScript))
	testkit.Step(t, ctx, "a cron expression that is not one is refused beside its field",
		testkit.SetValueJS(`#schedule-cron`, "every morning"),
		testkit.ClickJS(`form.schedule-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#schedule .field-error`)),
		testkit.WaitText("#schedule .field-error", "is not valid"),
	)
	testkit.Step(t, ctx, "set it to run every 15 minutes",
		testkit.RunJS(`document.getElementById("schedule-cron").value = ""`),
		testkit.RunJS(`document.getElementById("schedule-every").value = "15m"`),
		testkit.ClickJS(`form.schedule-form button[type=submit]`),
		testkit.WaitText("#schedule .schedule-now", "Runs every 15 minutes"),
		testkit.WaitText("#schedule .schedule-now", "Not run yet"),
	)
	testkit.Step(t, ctx, "run it once", runAndWatch("passed"))

	failing := strings.Replace(orderScript, `contains: "1234"`, `contains: "refund approved"`+"\n    within: 2s", 1)
	testkit.Step(t, ctx, "a second test, on a cron schedule, that fails",
		saveTestInEditor(srv.URL, "Refund flow", failing),
		testkit.SetValueJS(`#schedule-cron`, "*/30 8-18 * * 1-5"),
		testkit.ClickJS(`form.schedule-form button[type=submit]`),
		testkit.WaitText("#schedule .schedule-now", "cron */30 8-18 * * 1-5"),
		runAndWatch("failed"),
	)
	// The monitor hears of a run just after its result is stored: open the
	// page until it has.
	testkit.Eventually(t, testkit.WaitTimeout, func() bool {
		var failing bool
		err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/monitoring"), chromedp.WaitVisible(chromedp.CSS(`main`)),
			testkit.Evaluate(`document.querySelector(".monitor-failing") !== null`, &failing))
		return err == nil && failing
	}, "the Monitoring page shows the failed run")
	testkit.Step(t, ctx, "the Monitoring page shows both, the failing one with its reason",
		testkit.ClickJS(`nav a[href='/monitoring']`),
		testkit.WaitCount(`article.monitor`, 2),
		testkit.WaitText("main", "2 scheduled tests"),
		testkit.WaitText(".monitor-passing h2", "Order status"),
		testkit.WaitText(".monitor-passing .monitor-meta", "every 15 minutes"),
		testkit.WaitText(".monitor-failing h2", "Refund flow"),
		testkit.WaitText(".monitor-failing .badge", "Failing"),
		testkit.WaitText(".monitor-failing .monitor-failure", "Step 5"),
		testkit.WaitCount(`.monitor-passing svg.spark rect.pass`, 2),
		testkit.WaitCount(`.monitor-failing svg.spark rect.fail`, 2),
	)
	shots(t, ctx, "monitoring")
	var wide bool
	testkit.Step(t, ctx, "at a phone's width nothing scrolls sideways",
		chromedp.EmulateViewport(390, 844),
		testkit.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &wide),
	)
	if wide {
		t.Error("the Monitoring page scrolls sideways at 390 px")
	}
	testkit.Step(t, ctx, "a card opens its test, where the schedule shows",
		chromedp.EmulateViewport(1280, 900),
		testkit.ClickJS(`.monitor-failing h2 a`),
		chromedp.WaitVisible(chromedp.CSS(`#schedule`)),
		testkit.WaitText("#schedule .schedule-now", "Failing"),
	)
	shots(t, ctx, "test-schedule")
}
