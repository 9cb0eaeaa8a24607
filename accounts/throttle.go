package accounts

import (
	"sync"
	"time"
)

// throttle slows password guessing. Every attempt is reserved before the
// password is checked, under one lock, so parallel guesses cannot all slip
// through before the first failure is counted; a success gives its
// reservation back. Three limits apply:
//
//   - per user and address: a few free tries, then each must wait, doubling
//     up to five minutes. Only that address is slowed for that user.
//   - per address: more free tries, across all usernames, so one address
//     cannot spray guesses over many users.
//   - per user, from everywhere: many more free tries and a one-minute cap,
//     enforced only on addresses that have failures of their own. An
//     attacker with many addresses therefore gets at most a slow, shared
//     pace, and can never stop the real user signing in from a clean
//     address: that address is not subject to this limit at all.
//
// It is in memory: a restart forgives, which is fine for slowing, not locking.
type throttle struct {
	mu       sync.Mutex
	now      func() time.Time
	counters map[string]*counter
	pruned   time.Time
}

// counter is the attempts of one key: failures plus attempts in flight.
type counter struct {
	count int
	until time.Time // tries past the free ones wait until then
	last  time.Time
}

// limit is how many tries are free and the longest wait after them.
type limit struct {
	free    int
	maxWait time.Duration
}

var (
	pairLimit = limit{free: 3, maxWait: 5 * time.Minute}
	addrLimit = limit{free: 10, maxWait: 5 * time.Minute}
	// userLimit counts every guess at a user but holds back only addresses
	// with failures themselves, so a clean address is never slowed by it.
	userLimit = limit{free: 20, maxWait: time.Minute}
)

// forgetAfter drops a key this long after its last attempt.
const forgetAfter = time.Hour

// attempt is a reserved try; it is settled with succeeded or released.
type attempt struct{ pair, addr, user string }

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, counters: map[string]*counter{}}
}

// reserve counts a try by user from addr before its password is checked,
// or returns how long it must wait instead.
func (t *throttle) reserve(user, addr string) (attempt, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.prune(now)
	a := attempt{pair: "pair:" + user + "\x00" + addr, addr: "addr:" + addr, user: "user:" + user}
	pair, fromAddr := t.counters[a.pair], t.counters[a.addr]
	var wait time.Duration
	hold := func(c *counter, l limit) {
		if c != nil && c.count >= l.free && now.Before(c.until) {
			wait = max(wait, c.until.Sub(now))
		}
	}
	hold(pair, pairLimit)
	hold(fromAddr, addrLimit)
	if (pair != nil && pair.count > 0) || (fromAddr != nil && fromAddr.count > 0) {
		hold(t.counters[a.user], userLimit)
	}
	if wait > 0 {
		return attempt{}, wait
	}
	t.count(a.pair, pairLimit, now)
	t.count(a.addr, addrLimit, now)
	t.count(a.user, userLimit, now)
	return a, 0
}

func (t *throttle) count(key string, l limit, now time.Time) {
	c := t.counters[key]
	if c == nil {
		c = &counter{}
		t.counters[key] = c
	}
	c.count++
	c.last = now
	if c.count >= l.free {
		wait := time.Second << min(c.count-l.free, 16)
		c.until = now.Add(min(wait, l.maxWait))
	}
}

// succeeded settles a try with the right password: that address is
// forgiven for that user, and the try is not counted elsewhere.
func (t *throttle) succeeded(a attempt) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.counters, a.pair)
	t.uncount(a.addr)
	t.uncount(a.user)
}

// released gives back a try that never got an answer (the database failed).
func (t *throttle) released(a attempt) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.uncount(a.pair)
	t.uncount(a.addr)
	t.uncount(a.user)
}

func (t *throttle) uncount(key string) {
	if c := t.counters[key]; c != nil {
		c.count--
		if c.count <= 0 {
			delete(t.counters, key)
		}
	}
}

// prune forgets quiet keys, at most once a minute, so guessed usernames
// cannot grow the map without bound.
func (t *throttle) prune(now time.Time) {
	if now.Sub(t.pruned) < time.Minute {
		return
	}
	t.pruned = now
	for k, c := range t.counters {
		if now.Sub(c.last) > forgetAfter {
			delete(t.counters, k)
		}
	}
}
