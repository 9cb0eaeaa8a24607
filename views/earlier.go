package views

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/parley-dev/parley/conversation"
)

// EarlierURL is the link that shows a session's page reaching further back:
// in its messages when messages is true, otherwise in its events. The
// other list keeps the window it has.
func EarlierURL(d conversation.Detail, messages bool) templ.SafeURL {
	w := d.Window
	if messages {
		w.MessagesFrom = d.Earlier.MessagesFrom
	} else {
		w.EventsFrom = d.Earlier.EventsFrom
	}
	q := url.Values{}
	if w.MessagesFrom > 0 {
		q.Set("messages_from", strconv.FormatInt(w.MessagesFrom, 10))
	}
	if w.EventsFrom > 0 {
		q.Set("events_from", strconv.FormatInt(w.EventsFrom, 10))
	}
	return templ.SafeURL("/sessions/" + url.PathEscape(d.Session.ID) + "?" + q.Encode())
}
