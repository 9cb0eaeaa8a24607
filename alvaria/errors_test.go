package alvaria

import "testing"

func TestAPIErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *APIError
		want string
	}{
		{"full", &APIError{StatusCode: 400, Op: "create session", Response: ErrorResponse{
			Code: 400, Message: "invalid request",
			Errors: []ErrorDetail{{Scope: "body", Reason: "required", Message: "workTypeId is required"}, {Reason: "format"}},
		}}, "create session: Alvaria answered 400 Bad Request: invalid request (body: required: workTypeId is required; format)"},
		{"no body", &APIError{StatusCode: 401, Op: "send message"}, "send message: Alvaria answered 401 Unauthorized"},
		{"details only", &APIError{StatusCode: 404, Op: "delete session", Response: ErrorResponse{
			Errors: []ErrorDetail{{Message: "session not found"}},
		}}, "delete session: Alvaria answered 404 Not Found: session not found"},
		{"unknown status", &APIError{StatusCode: 599}, "Alvaria answered 599"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidationErrorText(t *testing.T) {
	err := &ValidationError{Field: "attachment.url", Problem: "must be an absolute http or https URL"}
	if got, want := err.Error(), "attachment.url must be an absolute http or https URL"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
