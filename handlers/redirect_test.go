package handlers

import "testing"

// TestSafeNextStaysOnThisSite feeds the sign-in redirect the tricks browsers
// fall for: they drop tabs and newlines, read a backslash as a slash, and
// treat "//host" as another origin.
func TestSafeNextStaysOnThisSite(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"", "/"},
		{"/", "/"},
		{"/sessions/abc", "/sessions/abc"},
		{"/admin/audit?action=sign-in&from=2026-11-01", "/admin/audit?action=sign-in&from=2026-11-01"},
		{"/sessions/abc#composer", "/sessions/abc#composer"},
		{"/%09/evil.example", "/%09/evil.example"}, // still encoded: a path on this site
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/\u0085/evil.example", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/path\\..\\evil", "/"},
		{"https://evil.example/", "/"},
		{"http:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" //evil.example", "/"},
		{"\t//evil.example", "/"},
		{"/%zz", "/"},
		{"/\xff/evil", "/"},
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}
