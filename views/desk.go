package views

import (
	"github.com/parley-dev/parley/simulator"
)

func deskStateClass(s simulator.SessionState) string {
	switch s {
	case simulator.SessionConnected:
		return "badge ok"
	case simulator.SessionWaiting:
		return "badge warn"
	case simulator.SessionFailed:
		return "badge bad"
	default:
		return "badge quiet"
	}
}
