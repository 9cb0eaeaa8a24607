package handlers

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
)

// The refusals handlers and middleware make themselves go through the same
// mapping as the services' errors; errors_test.go covers those end to end.
func TestExplainHandlerRefusals(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		message string
	}{
		{"bad credentials", accounts.ErrBadCredentials, 401, "The username or password is not right."},
		{"forbidden", &forbiddenError{Role: "qa"}, 403, "Your role (qa) cannot do this."},
		{"form expired", errFormExpired, 403, "This form has expired. Reload the page and try again."},
		{"sign-in form expired", errLoginExpired, 403, "The sign-in form expired. Try again."},
		{"signed in first", errSignInFirst, 401, "You are signed out. Sign in again, then retry."},
		{"too large", &http.MaxBytesError{Limit: 1 << 20}, 413, "This form is too large: the limit is 1 MiB. Shorten what you typed and try again."},
		{"cannot check who", fmt.Errorf("%w: %w", errWhoUnknown, fmt.Errorf("db down")), 503, "Parley cannot check who you are right now. Try again in a moment."},
		{"no page", errNoPage, 404, "There is no page at this address."},
		{"user id not a number", errNoUser, 404, "There is no such user."},
		{"several fields, sorted", &input.Error{Fields: map[string]string{"role": "Choose a role", "password": "Use at least 10 characters."}}, 422, "Use at least 10 characters. Choose a role."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := explain(tt.err, false)
			if !ok || p.Status != tt.status || p.Message != tt.message {
				t.Errorf("explain = %d %q (known %v), want %d %q", p.Status, p.Message, ok, tt.status, tt.message)
			}
		})
	}
	if _, ok := explain(fmt.Errorf("disk full"), false); ok {
		t.Error("an unknown error was explained")
	}
}

func TestFormFieldsUseTheFormsNames(t *testing.T) {
	got := formFields(startFields, map[string]string{"workTypeId": "Work type ID is required", "other": "Odd"})
	want := map[string]string{"work_type_id": "Work type ID is required", "other": "Odd"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("formFields = %v, want %v", got, want)
	}
	if formFields(startFields, nil) != nil {
		t.Error("no problems gave fields")
	}
}
