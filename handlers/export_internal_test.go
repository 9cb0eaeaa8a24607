package handlers

import "testing"

func TestSafeCSVNeutralisesFormulas(t *testing.T) {
	cases := []struct{ in, want string }{
		{"hello", "hello"},
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"\n=HYPERLINK(\"x\")", "'\n=HYPERLINK(\"x\")"},
		{"  =1", "'  =1"},
		{"a=1", "a=1"},
	}
	for _, c := range cases {
		if got := safeCSV(c.in)[0]; got != c.want {
			t.Errorf("safeCSV(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
