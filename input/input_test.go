package input_test

import (
	"testing"

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
