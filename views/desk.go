package views

import (
	"unicode/utf8"

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

// clip shortens s to n runes for a one-line label.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
