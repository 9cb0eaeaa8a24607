package readable_test

import (
	"testing"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/readable"
)

func TestClip(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 5, "hello"},        // fits exactly
		{"hello", 10, "hello"},       // fits
		{"hello world", 6, "hello…"}, // n runes, the ellipsis counted
		{"héllo wörld", 4, "hél…"},   // runes, not bytes
		{"😀😀😀😀", 3, "😀😀…"},           // four-byte runes stay whole
		{"", 3, ""},                  // nothing to clip
		{"abc", 1, "…"},              // only room for the ellipsis
		{"abc", 0, ""},               // no room at all
	}
	for _, c := range cases {
		got := readable.Clip(c.s, c.n)
		if got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > max(c.n, 0) {
			t.Errorf("Clip(%q, %d) = %q: not valid UTF-8 of at most %d runes", c.s, c.n, got, c.n)
		}
	}
}

func TestJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":1,"b":[true,null]}`, "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}"},
		{`"text"`, `"text"`},
		{`{"cut short":`, `{"cut short":`}, // not JSON: as it is
		{"plain words", "plain words"},
		{"", ""},
	}
	for _, c := range cases {
		if got := readable.JSON(c.in); got != c.want {
			t.Errorf("JSON(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
