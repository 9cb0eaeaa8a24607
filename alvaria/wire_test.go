package alvaria

import (
	"encoding/json"
	"testing"
)

func TestWorkTypeIDAcceptsStringOrNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    WorkTypeID
		wantErr bool
	}{
		{`32`, "32", false},
		{`"32"`, "32", false},
		{`"sales"`, "sales", false},
		{`null`, "", false},
		{`true`, "", true},
		{`{"id":32}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var w WorkTypeID
			err := json.Unmarshal([]byte(tt.in), &w)
			if (err != nil) != tt.wantErr || w != tt.want {
				t.Errorf("Unmarshal(%s) = %q, %v; want %q, error %v", tt.in, w, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestDocumentNewSessionBody decodes the document's Create Session example,
// whose workTypeId is a number, as the simulator does, and sends it back as a
// string.
func TestDocumentNewSessionBody(t *testing.T) {
	body := `{
"workTypeId": 32,
"contactName": "Customer Name",
"integration": "SMS"
}`
	var s NewSession
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(s)
	if want := `{"workTypeId":"32","contactName":"Customer Name","integration":"SMS"}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
}

func TestRerouteAcceptsANumericWorktypeID(t *testing.T) {
	cb, err := ParseCallback([]byte(`{"sessionId":"s","event":"SESSION_REROUTE","eventId":"e","worktypeId":45}`))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := cb.(*SessionRerouteCallback); !ok || r.WorktypeID != "45" {
		t.Fatalf("got %#v", cb)
	}
}
