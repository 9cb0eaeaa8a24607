package bench

import (
	"os"
	"testing"
)

func TestReadResidentOfThisProcess(t *testing.T) {
	r, err := ReadResident(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if r.RSS <= 0 || r.Anon <= 0 || r.File < 0 || r.Anon+r.File > r.RSS+64<<10 {
		t.Errorf("resident memory %+v does not add up", r)
	}
	if _, err := ReadResident(0); err == nil {
		t.Error("process 0: want an error")
	}
}
