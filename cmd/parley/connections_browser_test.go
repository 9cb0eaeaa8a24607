package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/simulator"
)

// An admin adds a connection to a second simulator, tests it, starts a
// session on it and sees its callbacks arrive; a callback signed with a key
// nobody listed shows in the diagnostics as rejected.
func TestBrowserConnections(t *testing.T) {
	ctx := testkit.NewBrowser(t)
	srv := startConsole(t, nil)
	simB := secondTenant(t, srv.URL, "second-tenant")

	testkit.Step(t, ctx, "sign in", signIn(srv.URL), chromedp.EmulateViewport(1280, 900))
	testkit.Step(t, ctx, "the built-in simulator is listed",
		chromedp.Navigate(srv.URL+"/admin/connections"),
		testkit.WaitText("#connection-rows", "Simulator (built in)"),
	)
	testkit.Screenshot(t, ctx, "connections-empty")
	testkit.Step(t, ctx, "add a connection to the second simulator",
		chromedp.Click(chromedp.CSS(`#add-connection`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn-name`)),
		chromedp.SendKeys(chromedp.CSS(`#conn-name`), "Second tenant"),
		chromedp.SendKeys(chromedp.CSS(`#conn-region`), "eu1"),
		testkit.WaitJS(`document.getElementById("conn-token-url").value.includes("myaspect.eu1.id.aspect-cloud.net")`, "the region fills in the token URL"),
		chromedp.SetValue(chromedp.CSS(`#conn-token-url`), simB.URL+simulator.TokenPath),
		chromedp.SendKeys(chromedp.CSS(`#conn-api-url`), simB.URL),
		chromedp.SendKeys(chromedp.CSS(`#conn-org`), "tenant-b"),
		chromedp.SendKeys(chromedp.CSS(`#conn-client-id`), simulator.DefaultClientID),
		chromedp.SendKeys(chromedp.CSS(`#conn-client-secret`), tenantSecret),
		chromedp.SendKeys(chromedp.CSS(`#conn-api-key`), tenantAPIKey),
		chromedp.SetValue(chromedp.CSS(`#conn-keys`), pemOf(t, &secondKey().PublicKey)),
	)
	testkit.Screenshot(t, ctx, "connection-new")
	testkit.Step(t, ctx, "save it and see its callback URL",
		chromedp.Click(chromedp.CSS(`#save-connection`)),
		testkit.WaitText("#connection-notice", "Connection saved"),
		testkit.WaitText("#callback-url", srv.URL+"/webhooks/server-messaging/second-tenant"),
		chromedp.Click(chromedp.CSS(`button[data-copy="callback-url"]`)),
		testkit.WaitJS(`document.querySelector('button[data-copy="callback-url"]').textContent !== "Copy"`, "the copy button answers"),
	)
	testkit.Step(t, ctx, "test it",
		chromedp.Click(chromedp.CSS(`#test-connection`)),
		testkit.WaitText("#test-result", "Connection works"),
	)
	testkit.Screenshot(t, ctx, "connection-tested")
	testkit.Step(t, ctx, "start a session on it and see the callbacks arrive",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS(`#connection`)),
		chromedp.SetValue(chromedp.CSS(`#connection`), "second-tenant"),
		fillNewSession("32", "Bea on the second tenant"),
		testkit.WaitText("#session-state", "Connected"),
		testkit.WaitText("#transcript .msg.system", "joined the conversation"),
		testkit.WaitText("#session-header", "Second tenant"),
	)

	// Alvaria's session id, to forge a callback about it.
	var alvariaID string
	testkit.Step(t, ctx, "read the session id",
		testkit.Evaluate(`[...document.querySelectorAll("#session-header dt")].find(d => d.textContent === "Session ID").nextElementSibling.textContent`, &alvariaID),
	)
	auth, body := signedCallback(t, testkit.RSAKey(t), alvariaID, "unknown-key-event")
	if code := postCallback(t, srv.URL+"/webhooks/server-messaging/second-tenant", auth, body); code != http.StatusUnauthorized {
		t.Fatalf("a callback with an unknown key = %d, want 401", code)
	}
	testkit.Step(t, ctx, "the diagnostics show the accepted callbacks and the rejected one",
		chromedp.Navigate(srv.URL+"/admin/connections/second-tenant"),
		testkit.WaitText("#callbacks", "unknown key"),
		testkit.WaitText("#callbacks", "NEW_SESSION"),
		testkit.WaitText("#callbacks", "accepted"),
		testkit.WaitText("#callback-hours", "1"),
	)
	testkit.Screenshot(t, ctx, "connection-diagnostics")
	testkit.Step(t, ctx, "the list shows it enabled, with a callback accepted",
		chromedp.Navigate(srv.URL+"/admin/connections"),
		testkit.WaitText("#connection-second-tenant", "enabled"),
		testkit.WaitCount("#connection-second-tenant time[data-relative]", 1),
	)
	testkit.Screenshot(t, ctx, "connections")
	testkit.Step(t, ctx, "phone width", chromedp.EmulateViewport(390, 844))
	testkit.Screenshot(t, ctx, "connections-phone")
	testkit.Step(t, ctx, "the connection on a phone", chromedp.Navigate(srv.URL+"/admin/connections/second-tenant"), testkit.WaitText("#callbacks", "unknown key"))
	testkit.Screenshot(t, ctx, "connection-phone")
	testkit.Step(t, ctx, "the start form on a phone", chromedp.Navigate(srv.URL+"/sessions/new"), chromedp.WaitVisible(chromedp.CSS(`#connection`)))
	testkit.Screenshot(t, ctx, "session-new-phone")

	var shown string
	testkit.Step(t, ctx, "no secret on the page", testkit.Evaluate(`document.documentElement.outerHTML`, &shown))
	if strings.Contains(shown, tenantSecret) || strings.Contains(shown, tenantAPIKey) {
		t.Fatal("a secret is on the page")
	}
}
