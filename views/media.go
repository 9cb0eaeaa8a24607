package views

import (
	"net/url"

	"github.com/a-h/templ"
)

// MediaURL returns u as a link or media source only when it is an absolute
// http or https URL; anything else (javascript:, data:, relative paths) is
// never rendered as a link, because attachment URLs come from outside.
func MediaURL(u string) (templ.SafeURL, bool) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	return templ.SafeURL(p.String()), true
}
