// Package readable shortens and lays out text for people to read: a long
// message clipped to a one-line preview, a JSON body indented.
package readable

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Ellipsis ends clipped text.
const Ellipsis = "…"

// Clip returns s if it is at most n runes long, and otherwise its first
// n-1 runes and an ellipsis, n runes in all. It cuts between runes, never
// inside one, so a clipped preview stays valid UTF-8.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	return string([]rune(s)[:n-1]) + Ellipsis
}

// JSON indents s by two spaces if it is JSON; anything else, such as a
// body that is not JSON or was cut short, is returned as it is.
func JSON(s string) string {
	var out bytes.Buffer
	if json.Indent(&out, []byte(s), "", "  ") != nil {
		return s
	}
	return out.String()
}
