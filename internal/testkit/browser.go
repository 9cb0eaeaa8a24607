package testkit

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Act is one browser step that returns nothing.
type Act = chromedp.Action[chromedp.Void]

// NewBrowser starts headless Chromium for one test and stops it when the
// test ends. Without Chromium the test is skipped, except in CI, where a
// missing browser is a failure.
func NewBrowser(t *testing.T) context.Context {
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

// Step runs the actions as one named step of a browser test, failing the
// test with the page's main element when one of them fails.
func Step(t *testing.T, ctx context.Context, name string, actions ...Act) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\npage:\n%s", name, err, html)
	}
}

// BrowserSignIn signs in through the sign-in form at base.
func BrowserSignIn(base, username, password string) Act {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), username),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.signout`)),
	)
}

// WaitText waits until an element matched by sel contains text.
func WaitText(sel, text string) Act {
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(e => e.textContent.includes(%q))`, sel, text)
	return WaitJS(js, fmt.Sprintf("%q in %s", text, sel))
}

// WaitCount waits until sel matches at least n elements.
func WaitCount(sel string, n int) Act {
	return WaitJS(fmt.Sprintf(`document.querySelectorAll(%q).length >= %d`, sel, n), fmt.Sprintf("%d of %s", n, sel))
}

// WaitJS waits until the JavaScript expression js is true; what names it
// in the error.
func WaitJS(js, what string) Act {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
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
				return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// CountText counts the elements matched by sel that contain text.
func CountText(sel, text string, n *int) Act {
	return Evaluate(fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(e => e.textContent.includes(%q)).length`, sel, text), n)
}

// Evaluate runs JavaScript and stores its result in *into (nil to drop it).
func Evaluate[T any](js string, into *T) Act {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := chromedp.Evaluate[T](js)(ctx, t)
		if err == nil && into != nil {
			*into = v
		}
		return err
	})
}

// ClickJS clicks the element in one step inside the page. Parts of a live
// page are replaced as updates arrive, and a click by node id can lose the
// node between finding and clicking it.
func ClickJS(sel string) Act {
	return RunJS(fmt.Sprintf(`((sel) => { const el = document.querySelector(sel); if (!el) throw new Error("nothing matches " + sel); el.click(); return true; })(%q)`, sel))
}

// SetValueJS sets a form field's value in one step inside the page, like
// ClickJS: no node id to lose between finding the field and setting it.
func SetValueJS(sel, value string) Act {
	return RunJS(fmt.Sprintf(`((sel, v) => { const el = document.querySelector(sel); if (!el) throw new Error("nothing matches " + sel); el.value = v; el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true; })(%q, %q)`, sel, value))
}

// AnswerConfirm makes the page's confirmation questions (window.confirm)
// answer yes or no at once, and keeps each question asked in
// window.__confirms, so that a test can click through "Are you sure?" and
// check what was asked without a native dialog stopping the page.
func AnswerConfirm(yes bool) Act {
	return RunJS(fmt.Sprintf(`window.__confirms = window.__confirms || []; window.confirm = (q) => { window.__confirms.push(q); return %t; }`, yes))
}

// RunJS runs JavaScript whose result does not matter.
func RunJS(js string) Act { return Evaluate[any](js, nil) }

// Screenshot saves the page to $PARLEY_SCREENSHOTS/name.png when that is
// set, for looking at the console as a user would; otherwise it does nothing.
func Screenshot(t *testing.T, ctx context.Context, name string) {
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

// FreeAddr finds a loopback port for a server whose address must be known
// before it starts (a simulator delivers callbacks to it).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
