package handlers

import (
	"net/url"
	"testing"

	"github.com/parley-dev/parley/runs"
)

func TestTestForm(t *testing.T) {
	f := newTestForm(postForm(url.Values{"name": {" Orders "}, "scenario": {"name: x\r\nsteps:\r\n"}}), "t1")
	in, err := f.Validate(formActor)
	want := runs.TestInput{ID: "t1", Name: " Orders ", Scenario: "name: x\nsteps:\n", By: formActor}
	if err != nil || in != want {
		t.Errorf("Validate = %+v, %v; want %+v (the service trims and checks)", in, err, want)
	}
}

func TestRunForm(t *testing.T) {
	for _, tc := range []struct {
		count string
		want  int
	}{
		{"", 1}, {"1", 1}, {" 5 ", 5}, {"50", 50}, {"51", 51}, // the service bounds it
		{"0", -1}, {"-3", -1}, {"many", -1}, {"2.5", -1}, // refused by the service, never taken as one run
	} {
		in, err := newRunForm(postForm(url.Values{"count": {tc.count}}), "t1").Validate(formActor)
		if err != nil || in.Count != tc.want || in.TestID != "t1" || in.By != formActor {
			t.Errorf("count %q: Validate = %+v, %v; want Count %d", tc.count, in, err, tc.want)
		}
	}
}

func TestDeleteTestFormNeedsItsConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name, confirm string
		ok            bool
	}{{"ticked", "yes", true}, {"not ticked", "", false}, {"anything else", "on", false}} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := newDeleteTestForm(postForm(url.Values{"confirm": {tc.confirm}}), "t1").Validate()
			if tc.ok && (err != nil || id != "t1") {
				t.Fatalf("Validate = %q, %v", id, err)
			}
			if !tc.ok && err == nil {
				t.Fatalf("deleted without the confirmation ticked")
			}
		})
	}
}
