package handlers_test

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// Exports name things one way (snake_case) in JSON and CSV, and a
// transcript starts with its session: contact, work type, connection,
// agent, started, ended, who ended it, verdict.
func TestExportsStartWithTheSessionAndNameThingsOneWay(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	sid := a.startSession(t, admin)
	waitUntil(t, "the greeting", func() bool {
		ms, _ := a.store.ListMessages(t.Context(), sid)
		return len(ms) >= 2
	})
	if code, _ := admin.Post(t, "/sessions/"+sid+"/end", nil); code != http.StatusSeeOther {
		t.Fatalf("end = %d", code)
	}
	waitUntil(t, "the session to end", func() bool {
		s, _ := a.store.GetSession(t.Context(), sid)
		return s.State == store.SessionEnded
	})

	code, body := admin.Get(t, "/sessions/"+sid+"/transcript.json")
	if code != http.StatusOK {
		t.Fatalf("transcript.json = %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	session, _ := doc["session"].(map[string]any)
	for _, key := range []string{"contact", "work_type", "connection", "agent", "started_at", "ended_at", "ended_by", "verdict"} {
		if _, ok := session[key]; !ok {
			t.Errorf("the JSON session header has no %q: %v", key, session)
		}
	}
	if session["ended_by"] != "admin" || session["contact"] != "Ada" || session["ended_at"] == "" {
		t.Errorf("session header = %v, want ended by admin", session)
	}
	messages, _ := doc["messages"].([]any)
	if len(messages) == 0 {
		t.Fatal("no messages in the JSON")
	}
	for key := range messages[0].(map[string]any) {
		if key != strings.ToLower(key) {
			t.Errorf("message key %q is not snake_case", key)
		}
	}

	code, body = admin.Get(t, "/sessions/"+sid+"/transcript.csv")
	if code != http.StatusOK {
		t.Fatalf("transcript.csv = %d", code)
	}
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || rows[0][0] != "id" || rows[1][0] != sid || !slices.Contains(rows[0], "ended_by") || rows[2][0] != "at" {
		t.Fatalf("transcript.csv starts %q", rows[:min(len(rows), 3)])
	}
	if got := rows[1][slices.Index(rows[0], "ended_by")]; got != "admin" {
		t.Errorf("transcript.csv ended_by = %q", got)
	}

	// The agent ends another one: Alvaria ended it.
	other := a.startSession(t, admin)
	waitUntil(t, "the agent to join", func() bool {
		s, _ := a.store.GetSession(t.Context(), other)
		return s.State == store.SessionConnected
	})
	admin.Post(t, "/sessions/"+other+"/messages", url.Values{"text": {"#end"}})
	waitUntil(t, "the agent to end it", func() bool {
		s, _ := a.store.GetSession(t.Context(), other)
		return s.State == store.SessionEnded
	})

	code, body = admin.Get(t, "/sessions.csv")
	if code != http.StatusOK {
		t.Fatalf("sessions.csv = %d", code)
	}
	rows, err = csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"ended_at", "ended_by", "started_at", "contact"} {
		if !slices.Contains(rows[0], col) {
			t.Errorf("sessions.csv has no %s column: %v", col, rows[0])
		}
	}
	endedBy := map[string]string{}
	for _, row := range rows[1:] {
		endedBy[row[0]] = row[slices.Index(rows[0], "ended_by")]
	}
	if endedBy[sid] != "admin" || endedBy[other] != "Alvaria" {
		t.Errorf("sessions.csv ended_by = %v, want admin for %s and Alvaria for %s", endedBy, sid, other)
	}
}

// The list's filters choose the transcripts of one ZIP: a JSON and a CSV
// for each session listed, and nothing for the others.
func TestTranscriptsZipHoldsTheFilteredSessions(t *testing.T) {
	a := newApp(t, storetest.SQLite(t))
	admin := a.signIn(t, "admin")
	ada := a.startSession(t, admin)
	if code, _ := admin.Post(t, "/sessions", url.Values{"work_type_id": {"32"}, "contact_name": {"Grace"}}); code != http.StatusSeeOther {
		t.Fatalf("second session = %d", code)
	}

	code, body := admin.Get(t, "/sessions/transcripts.zip?q=Ada")
	if code != http.StatusOK {
		t.Fatalf("transcripts.zip = %d %s", code, body)
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := []string{"transcript-" + ada + ".json", "transcript-" + ada + ".csv"}
	if !slices.Equal(names, want) {
		t.Fatalf("zip holds %v, want %v", names, want)
	}
	f, _ := zr.File[0].Open()
	var doc struct {
		Session struct {
			Contact string `json:"contact"`
		} `json:"session"`
	}
	if err := json.NewDecoder(f).Decode(&doc); err != nil || doc.Session.Contact != "Ada" {
		t.Fatalf("the JSON in the zip: %+v, %v", doc, err)
	}
	if n := len(auditOf(t, a.store, "export")); n != 1 {
		t.Errorf("%d export records, want 1", n)
	}
}
