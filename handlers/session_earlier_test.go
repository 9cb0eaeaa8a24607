package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

var (
	shownMessage = regexp.MustCompile(`id="msg-\d+"`)
	earlierLink  = regexp.MustCompile(`id="earlier-messages" href="([^"]*)"`)
)

// A long session's page shows its newest 100 messages; "Earlier" reaches
// back 100 at a time, without script, to the first; the print view and
// the export hold the whole transcript.
func TestSessionPageShowsNewestAndEarlierReachesTheFirst(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	ctx := t.Context()
	s := store.Session{AlvariaSessionID: "alv-long", WorkTypeID: "32", ContactName: "Long Talker", State: store.SessionEnded, CreatedAt: time.Now()}
	if err := a.store.CreateSession(ctx, &s); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 250; i++ {
		if _, err := a.store.AddMessage(ctx, &store.Message{SessionID: s.ID, Direction: store.DirectionCustomer, Text: fmt.Sprintf("line number %d.", i), Status: store.MessageReceived}); err != nil {
			t.Fatal(err)
		}
	}
	u := a.signIn(t, "admin")

	path := "/sessions/" + s.ID
	for _, want := range []struct {
		shown   int
		first   string
		earlier bool
	}{{100, "line number 151.", true}, {200, "line number 51.", true}, {250, "line number 1.", false}} {
		code, page := u.Get(t, path)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, code)
		}
		if n := len(shownMessage.FindAllString(page, -1)); n != want.shown {
			t.Fatalf("GET %s shows %d messages, want %d", path, n, want.shown)
		}
		if i := strings.Index(page, "line number "); !strings.HasPrefix(page[i:], want.first) {
			t.Fatalf("GET %s starts at %q, want %q", path, page[i:i+20], want.first)
		}
		if !strings.Contains(page, "line number 250.") || !strings.Contains(page, `data-live=`) {
			t.Fatalf("GET %s lost the newest message or its live channel", path)
		}
		m := earlierLink.FindStringSubmatch(page)
		if (m != nil) != want.earlier {
			t.Fatalf("GET %s: Earlier link %v, want %v", path, m != nil, want.earlier)
		}
		if m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if code, _ := u.Get(t, "/sessions/"+s.ID+"?messages_from=x"); code != http.StatusBadRequest {
		t.Fatalf("a garbled window = %d, want 400", code)
	}
	_, printed := u.Get(t, "/sessions/"+s.ID+"/print")
	if !strings.Contains(printed, "line number 1.") || !strings.Contains(printed, "line number 250.") {
		t.Fatal("the print view lost part of the transcript")
	}
}
