package runs

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// An expectation that waits for hours while an agent talks on keeps only
// the last few of what arrived, and says how many came before.
func TestArrivalsKeepOnlyTheLastFew(t *testing.T) {
	var a arrivals
	if got := a.nothingMatched(time.Second); got != "nothing arrived in 1s" {
		t.Errorf("none: %q", got)
	}
	for i := range 10_000 {
		a.add(fmt.Sprintf("m%d", i))
	}
	if len(a.last) != maxArrivals || cap(a.last) > 2*maxArrivals {
		t.Fatalf("kept %d (capacity %d) of 10000", len(a.last), cap(a.last))
	}
	got := a.nothingMatched(time.Minute)
	if want := "in 1m0s only this arrived (and 9995 before): m9995; m9996; m9997; m9998; m9999"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	var few arrivals
	few.add("a")
	few.add("b")
	if got := few.nothingMatched(time.Second); !strings.HasSuffix(got, "arrived: a; b") {
		t.Errorf("few: %q", got)
	}
}
