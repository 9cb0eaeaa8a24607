package simulator

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/parley-dev/parley/alvaria"
)

// dice is the simulator's one source of chance (injected faults, retry
// jitter, the agent picked), shared by its goroutines; seeded through
// Config.Rand, the same calls draw the same numbers.
type dice struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newDice(r *rand.Rand) *dice {
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &dice{r: r}
}

// chance reports true with probability p. 0 and 1 are exact, so a test that
// sets a rate of 1 sees the fault every time.
func (d *dice) chance(p float64) bool {
	if p <= 0 || p >= 1 {
		return p >= 1
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.r.Float64() < p
}

// n returns a number in [0, k).
func (d *dice) n(k int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.r.IntN(k)
}

// duration returns a duration in [0, k).
func (d *dice) duration(k time.Duration) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return time.Duration(d.r.Int64N(int64(k)))
}

// injectFault answers the request with Config.ErrorStatus for a share
// ErrorRate of API calls, before the call has any effect; it reports whether
// it did.
func (s *Simulator) injectFault(w http.ResponseWriter) bool {
	if !s.dice.chance(s.cfg.ErrorRate) {
		return false
	}
	detail := alvaria.ErrorDetail{Scope: "simulator", Reason: "injected", Message: "error injected by the simulator (ErrorRate)"}
	if s.cfg.ErrorStatus == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(1))
	}
	writeError(w, s.cfg.ErrorStatus, detail)
	return true
}
