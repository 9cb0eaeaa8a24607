package simulator

import (
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/parley-dev/parley/alvaria"
)

// chance reports true with probability p. 0 and 1 are exact, so a test that
// sets a rate of 1 sees the fault every time.
func chance(p float64) bool {
	return p > 0 && (p >= 1 || rand.Float64() < p)
}

// injectFault answers the request with Config.ErrorStatus for a share
// ErrorRate of API calls, before the call has any effect; it reports whether
// it did.
func (s *Simulator) injectFault(w http.ResponseWriter) bool {
	if !chance(s.cfg.ErrorRate) {
		return false
	}
	detail := alvaria.ErrorDetail{Scope: "simulator", Reason: "injected", Message: "error injected by the simulator (ErrorRate)"}
	if s.cfg.ErrorStatus == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(1))
	}
	writeError(w, s.cfg.ErrorStatus, detail)
	return true
}
