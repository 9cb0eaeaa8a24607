package input_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-dev/parley/input"
)

func TestErrorMessageIsDeterministic(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   string
	}{
		{"none", nil, "invalid input"},
		{"one", map[string]string{"role": "Choose a role"}, "role: Choose a role"},
		{"sorted", map[string]string{"username": "Is taken", "password": "Too short", "role": "Choose one"}, "password: Too short; role: Choose one; username: Is taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // map order varies between runs of a range
				if got := (&input.Error{Fields: tt.fields}).Error(); got != tt.want {
					t.Fatalf("Error() = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestAddKeepsTheFirstProblemAndCapitalises(t *testing.T) {
	var e input.Error
	if e.Err() != nil {
		t.Fatal("empty Error is an error")
	}
	e.Add("text", "is required")
	e.Add("text", "is too long")
	if got := e.Fields["text"]; got != "Is required" {
		t.Errorf("text = %q, want the first problem, capitalised", got)
	}
	if e.Err() == nil {
		t.Error("Error with a problem is not an error")
	}
	if got := input.Invalid("name", "élan is missing").Fields["name"]; got != "Élan is missing" {
		t.Errorf("Invalid = %q", got)
	}
}

func TestDay(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Time
		wantErr  bool
	}{
		{"empty is no day", "", time.Time{}, false},
		{"a day", "2026-11-24", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), false},
		{"not a day", "24/11/2026", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := input.Day("from", tt.in)
			var ie *input.Error
			if !got.Equal(tt.want) || (err != nil) != tt.wantErr || (err != nil && (!errors.As(err, &ie) || ie.Fields["from"] == "")) {
				t.Errorf("Day(%q) = %s, %v", tt.in, got, err)
			}
		})
	}
}
