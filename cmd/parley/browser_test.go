package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts headless Chromium for one test. Without Chromium the
// test is skipped, except in CI, where a missing browser is a failure.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(p); err == nil {
			path = found
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed; .ci/run installs it")
		}
		t.Skip("Chromium is not installed: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// freeAddr finds a port for a server whose public URL must be known before
// it starts (the simulator delivers callbacks to it).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startConsole runs `parley serve` on the embedded simulator with quick agents.
func startConsole(t *testing.T, env map[string]string) *server {
	t.Helper()
	addr := freeAddr(t)
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
func signIn(srvURL string) act {
	return chromedp.Steps(
		chromedp.Navigate(srvURL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), testAdminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.signout`)),
	)
}

// waitText waits until the element matched by sel contains text.
func waitText(sel, text string) act {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(e => e.textContent.includes(%q))`, sel, text)
		for {
			ok, err := chromedp.Evaluate[bool](js)(ctx, t)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %q in %s: %w", text, sel, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// countText counts the elements matched by sel that contain text.
func countText(sel, text string, n *int) act {
	return evaluate(fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(e => e.textContent.includes(%q)).length`, sel, text), n)
}

// act is one browser step that returns nothing.
type act = chromedp.Action[chromedp.Void]

// evaluate runs JavaScript and stores its result in *into (nil to drop it).
func evaluate[T any](js string, into *T) act {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := chromedp.Evaluate[T](js)(ctx, t)
		if err == nil && into != nil {
			*into = v
		}
		return err
	})
}

// clickJS clicks the element in one step inside the page. Parts of a live
// page are replaced as updates arrive, and a click by node id can lose the
// node between finding and clicking it.
func clickJS(sel string) act {
	return runJS(fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) throw new Error("nothing matches %s"); el.click(); return true; })()`, sel, sel))
}

// run runs JavaScript whose result does not matter.
func runJS(js string) act { return evaluate[any](js, nil) }

func step(t *testing.T, ctx context.Context, name string, actions ...act) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\npage:\n%s", name, err, html)
	}
}

func TestBrowserConversation(t *testing.T) {
	ctx := newBrowser(t)
	srv := startConsole(t, nil)

	step(t, ctx, "sign in", signIn(srv.URL))
	step(t, ctx, "start a session from the form",
		chromedp.Navigate(srv.URL+"/"),
		waitText("main", "No sessions yet"),
		chromedp.Click(chromedp.CSS(`a[href="/sessions/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#work-type`)),
		chromedp.SendKeys(chromedp.CSS(`#work-type`), "32"),
		chromedp.SendKeys(chromedp.CSS(`#contact-name`), "Ada <b>Customer</b>"),
		chromedp.Click(chromedp.CSS(`form[action="/sessions"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#transcript`)),
		// A marker that a reload would wipe: everything after happens live.
		runJS(`window.__noReload = true`),
	)
	step(t, ctx, "the agent joins and greets without a reload",
		waitText("#session-state", "Connected"),
		waitText("#transcript .msg.agent", ""),
		waitText("#transcript .msg.system", "joined the conversation"),
		waitText("h1", "Ada <b>Customer</b>"),
	)
	step(t, ctx, "send a text and see the echo",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "Hello <script>alert(1)</script> there"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		waitText("#transcript .msg.customer", "sent"),
		waitText("#transcript .msg.agent", "Hello <script>alert(1)</script> there"),
	)
	imageURL := srv.URL + "/static/parley.css?image.png"
	step(t, ctx, "send an Image attachment and see it",
		chromedp.SetValue(chromedp.CSS(`#attachment-type`), "Image"),
		chromedp.SendKeys(chromedp.CSS(`#attachment-url`), imageURL),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#transcript .msg.customer img[src=%q]`, imageURL))),
		waitText("#transcript .msg.agent", "Image"),
	)
	step(t, ctx, "#transfer reroutes to another agent",
		chromedp.SendKeys(chromedp.CSS(`#message-text`), "#transfer"),
		chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
		waitText("#transcript .msg.system", "Transferred to agent"),
	)
	step(t, ctx, "end the session and see Ended",
		clickJS(`#end-session button`),
		waitText("#session-state", "Ended"),
		waitText("#composer", "no more messages"),
	)
	var noReload bool
	var scripts int
	step(t, ctx, "no reload happened and no injected markup ran",
		evaluate(`window.__noReload === true`, &noReload),
		evaluate(`document.querySelectorAll("#transcript script, #transcript b").length`, &scripts),
	)
	if !noReload {
		t.Error("the page reloaded during the conversation")
	}
	if scripts != 0 {
		t.Errorf("message text became markup: %d elements", scripts)
	}
	step(t, ctx, "the list shows the session",
		chromedp.Navigate(srv.URL+"/"),
		waitText("#session-rows", "Ada <b>Customer</b>"),
		waitText("#session-rows", "Ended"),
	)
}

func TestBrowserCatchesUpAfterTheWebsocketDrops(t *testing.T) {
	ctx := newBrowser(t)
	srv := startConsole(t, nil)

	step(t, ctx, "sign in", signIn(srv.URL))
	step(t, ctx, "start a session",
		chromedp.Navigate(srv.URL+"/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS(`#work-type`)),
		chromedp.SendKeys(chromedp.CSS(`#work-type`), "7"),
		chromedp.SendKeys(chromedp.CSS(`#contact-name`), "Grace"),
		chromedp.Click(chromedp.CSS(`form[action="/sessions"] button[type=submit]`)),
		waitText("#session-state", "Connected"),
		waitText("#live-status", "Live"),
	)
	var sessionPath string
	step(t, ctx, "read the session address", evaluate(`location.pathname`, &sessionPath))

	// Cut the websocket and hold the reconnect until the test releases it.
	step(t, ctx, "cut the websocket",
		runJS(`(() => {
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
		waitText("#live-status", "Reconnecting"),
	)

	// While the page is away, the customer writes from another tab.
	other := srv.admin(t)
	if code, _ := other.post(t, sessionPath+"/messages", url.Values{"text": {"sent while you were away"}}); code != http.StatusSeeOther {
		t.Fatalf("send from another tab = %d, want 303", code)
	}
	waitFor(t, 10*time.Second, func() bool {
		_, body := other.get(t, sessionPath)
		return strings.Contains(body, "You said: &#34;sent while you were away&#34;") || strings.Contains(body, "You said: &quot;sent while you were away&quot;") || strings.Count(body, "sent while you were away") >= 2
	})

	step(t, ctx, "reconnect and catch up",
		runJS(`window.__released = true`),
		waitText("#live-status", "Live"),
		waitText("#transcript .msg.agent", "sent while you were away"),
	)
	var customer, agent int
	step(t, ctx, "each message appears once",
		countText("#transcript .msg.customer", "sent while you were away", &customer),
		countText("#transcript .msg.agent", "sent while you were away", &agent),
	)
	if customer != 1 || agent != 1 {
		t.Fatalf("after catching up: %d customer and %d agent copies, want 1 each", customer, agent)
	}
}
