package simulator

// Statuses of a callback's attempts in the delivery log's filter.
const (
	DeliveryDelivered = "delivered" // answered 200
	DeliveryFailing   = "failing"   // not answered 200; tried again or given up
)

// DeliveryFilter narrows the delivery log, newest first, a page at a time.
type DeliveryFilter struct {
	SessionID string // Alvaria's session id; empty for all
	Event     string // a callback event such as MESSAGE; empty for all
	Status    string // DeliveryDelivered, DeliveryFailing or empty
	Page      int    // from 1
	PerPage   int
}

// FilterDeliveries returns the page of attempts f selects and how many
// attempts it selects in all.
func FilterDeliveries(attempts []DeliveryAttempt, f DeliveryFilter) (page []DeliveryAttempt, total int) {
	per := f.PerPage
	if per <= 0 {
		per = 50
	}
	skip := (max(f.Page, 1) - 1) * per
	for _, a := range attempts {
		if f.SessionID != "" && a.SessionID != f.SessionID ||
			f.Event != "" && a.Event != f.Event ||
			f.Status == DeliveryDelivered && !a.OK() ||
			f.Status == DeliveryFailing && a.OK() {
			continue
		}
		total++
		if total > skip && len(page) < per {
			page = append(page, a)
		}
	}
	return page, total
}
