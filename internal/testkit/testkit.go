// Package testkit holds what Parley's tests share: a fake clock, a wait for
// something to become true, a signed-in HTTP client, an RSA key, and
// headless Chromium with the steps the browser tests are written in. It
// imports no Parley package, so every package's own tests can use it.
package testkit

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"
)

// WaitTimeout is how long Eventually callers usually wait: generous, so a
// loaded machine running -race does not fail a test; nothing asserts speed.
const WaitTimeout = 10 * time.Second

// Clock is a settable time source that moves only when told. It is safe
// for concurrent use; pass its Now where a Config asks for a clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Eventually waits until cond holds, checking every few milliseconds, and
// fails the test with msg if timeout passes first. It is a wait for
// something asynchronous, not a bound on how fast it happens.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Receive waits for a value on ch and returns it, failing the test with
// msg if timeout passes first.
func Receive[T any](t testing.TB, ch <-chan T, timeout time.Duration, msg string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		t.Fatalf("timed out after %s waiting for %s", timeout, msg)
		var zero T
		return zero
	}
}

// rsaKey is made once per test binary: 2048-bit keys take a while under -race.
var rsaKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// RSAKey returns a 2048-bit key shared by the tests of one binary, for
// signing callbacks.
func RSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsaKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
