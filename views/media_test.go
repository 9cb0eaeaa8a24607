package views

import "testing"

func TestMediaURLOnlyAllowsHTTP(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://example.com/a.png", true},
		{"http://example.com/a.png?x=1", true},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{"data:image/png;base64,AAAA", false},
		{"/relative.png", false},
		{"//example.com/a.png", false},
		{"ftp://example.com/a", false},
		{"https://", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, ok := MediaURL(tt.in); ok != tt.ok {
			t.Errorf("MediaURL(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}
