package simulator

import (
	"fmt"
	"testing"
)

func TestFilterDeliveriesNarrowsAndPages(t *testing.T) {
	var log []DeliveryAttempt
	for i := range 7 {
		a := DeliveryAttempt{EventID: fmt.Sprint(i), Event: "MESSAGE", SessionID: "s1", StatusCode: 200}
		if i%3 == 0 {
			a.Event, a.SessionID, a.StatusCode = "AGENT_JOINED", "s2", 503
		}
		log = append(log, a)
	}
	ids := func(as []DeliveryAttempt) string {
		s := ""
		for _, a := range as {
			s += a.EventID
		}
		return s
	}
	for _, c := range []struct {
		f     DeliveryFilter
		want  string
		total int
	}{
		{DeliveryFilter{}, "0123456", 7},
		{DeliveryFilter{SessionID: "s2"}, "036", 3},
		{DeliveryFilter{Event: "MESSAGE"}, "1245", 4},
		{DeliveryFilter{Status: DeliveryFailing}, "036", 3},
		{DeliveryFilter{Status: DeliveryDelivered, PerPage: 3}, "124", 4},
		{DeliveryFilter{Status: DeliveryDelivered, PerPage: 3, Page: 2}, "5", 4},
		{DeliveryFilter{Page: 9, PerPage: 3}, "", 7},
	} {
		page, total := FilterDeliveries(log, c.f)
		if ids(page) != c.want || total != c.total {
			t.Errorf("%+v: %q of %d, want %q of %d", c.f, ids(page), total, c.want, c.total)
		}
	}
}
