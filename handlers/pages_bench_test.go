package handlers_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/handlers"
	"github.com/parley-dev/parley/internal/testkit"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// Sizes of the seeded SQLite database the page benchmarks read: small
// enough to seed in seconds, large enough that a scan shows.
const (
	benchSessions        = 10_000
	benchMessagesEach    = 10
	benchLongTranscript  = 1_000
	benchSearchRareWord  = "zanzibar"
	benchLongSessionName = "Long Talker"
)

// pagesBench is a console on a seeded SQLite store and a signed-in admin.
type pagesBench struct {
	URL    string
	client *testkit.Client
	longID string
}

func newPagesBench(b *testing.B) *pagesBench {
	b.Helper()
	st := storetest.SQLite(b)
	db, err := st.SQL()
	if err != nil {
		b.Fatal(err)
	}
	longID := seedPages(b, db)
	people := accounts.New(accounts.Config{Store: st})
	if _, err := people.Bootstrap(b.Context(), "admin", password); err != nil {
		b.Fatal(err)
	}
	hub := live.NewHub()
	svc := conversation.New(conversation.Config{Store: st, Live: hub, Connection: "test", Audit: people})
	srv := httptest.NewServer(handlers.NewRouter(handlers.Deps{Health: st, Sessions: svc, Callbacks: svc, Live: hub, Accounts: people, Connection: "test"}))
	b.Cleanup(srv.Close)
	return &pagesBench{URL: srv.URL, client: testkit.SignIn(b, srv.URL, "admin", password), longID: longID}
}

// seedPages fills the store with plain SQL: benchSessions sessions of
// benchMessagesEach messages, one of which says benchSearchRareWord, and one
// more session with a long transcript, whose id it returns.
func seedPages(b *testing.B, db *sql.DB) string {
	b.Helper()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	sess, err := tx.Prepare(`INSERT INTO sessions (id, alvaria_session_id, contact_name, work_type_id, state, message_count, seq, created_at, last_activity_at) VALUES (?, ?, ?, '32', ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	msg, err := tx.Prepare(`INSERT INTO messages (session_id, direction, text, status, seq, created_at, updated_at) VALUES (?, ?, ?, 'received', ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-time.Hour).UTC()
	addSession := func(id, name string, n int, at time.Time, text func(i int) string) {
		if _, err := sess.Exec(id, "alv-"+id, name, store.SessionEnded, n, n, at, at); err != nil {
			b.Fatal(err)
		}
		for i := range n {
			dir := store.DirectionCustomer
			if i%2 == 1 {
				dir = store.DirectionAgent
			}
			if _, err := msg.Exec(id, dir, text(i), i+1, at, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	for s := range benchSessions {
		at := start.Add(time.Duration(s) * time.Millisecond * 100)
		addSession(fmt.Sprintf("bench-%06d", s), fmt.Sprintf("Contact %d", s), benchMessagesEach, at, func(i int) string {
			if s == benchSessions/2 && i == 3 {
				return "I am flying to " + benchSearchRareWord + " next week"
			}
			return fmt.Sprintf("Message %d of session %d: could you help me with my order please?", i, s)
		})
	}
	longID := "bench-long"
	addSession(longID, benchLongSessionName, benchLongTranscript, start.Add(-time.Minute), func(i int) string {
		return fmt.Sprintf("Line %d of a long conversation, with a little <markup> & text to escape.", i)
	})
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return longID
}

func (p *pagesBench) get(b *testing.B, path string) {
	resp, err := p.client.HTTP.Get(p.URL + path)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
}

// BenchmarkSessionsListPage measures the first page of the sessions list.
func BenchmarkSessionsListPage(b *testing.B) {
	p := newPagesBench(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p.get(b, "/")
	}
}

// BenchmarkSessionsSearch measures a search for a word said once in all the
// messages.
func BenchmarkSessionsSearch(b *testing.B) {
	p := newPagesBench(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p.get(b, "/?q="+benchSearchRareWord)
	}
}

// BenchmarkSessionPage measures the page of a session with a long transcript.
func BenchmarkSessionPage(b *testing.B) {
	p := newPagesBench(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p.get(b, "/sessions/"+p.longID)
	}
}
