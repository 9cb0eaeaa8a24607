package views

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-dev/parley/conversation"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sessionRowCases are rows with every branch of the row: each state and
// verdict, no agent, no starter, no activity, times past and future, in
// other zones, and text that must be escaped.
func sessionRowCases(now time.Time) []conversation.Session {
	cet := time.FixedZone("CET", 3600)
	return []conversation.Session{
		{ID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", ContactName: "Ada Lovelace", WorkTypeID: "32", Status: conversation.StateConnected,
			AgentAlias: "Agent Smith", Connection: "Simulator", CreatedAt: now.Add(-3 * time.Minute), LastActivityAt: now.Add(-10 * time.Second),
			MessageCount: 12, StartedBy: "admin", Verdict: conversation.VerdictPass},
		{ID: "s-2", ContactName: `<script>alert("x")</script> O'Brien & Co`, WorkTypeID: `"32"&<`, Status: conversation.StateFailed,
			Connection: `Prod <eu> & "us"`, CreatedAt: now.Add(-49 * time.Hour), MessageCount: 0, Verdict: conversation.VerdictFail},
		{ID: `id"with<odd>&'chars`, ContactName: "Zoë Ünal 😀", Status: conversation.StateExpired, CreatedAt: now.Add(-5 * time.Hour).In(cet),
			LastActivityAt: time.Date(2026, 11, 25, 16, 30, 0, 123456000, cet), MessageCount: 1000, StartedBy: "ops-1", Verdict: conversation.VerdictNeedsReview},
		{ID: "s-4", Status: conversation.StatePending, CreatedAt: now.Add(90 * time.Minute), LastActivityAt: now.Add(-90 * time.Minute),
			AgentAlias: "  spaced  ", Verdict: "something-else"},
		{ID: "s-5", ContactName: "Ended", Status: conversation.StateEnded, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 100, time.UTC),
			LastActivityAt: time.Date(2026, 11, 25, 14, 59, 59, 999999999, time.UTC), MessageCount: 7, StartedBy: "a&b"},
		{ID: "s-6", ContactName: "Active", Status: conversation.StateActive, CreatedAt: now.Add(-23*time.Hour - 31*time.Minute),
			LastActivityAt: now.Add(-44 * time.Second), AgentAlias: "Bob"},
	}
}

// The rows the list and its live updates show are held to a golden file
// written by the templ component they were first made with.
func TestSessionRowMatchesGolden(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	var got bytes.Buffer
	for _, s := range sessionRowCases(now) {
		if err := SessionRow(s, now).Render(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
		got.WriteByte('\n')
	}
	golden := filepath.Join("testdata", "session_rows.golden.html")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("rows differ from %s\ngot:\n%s\nwant:\n%s", golden, got.Bytes(), want)
	}
}
