package scenario_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/scenario"
)

// The example in the issue is the format's contract: it must parse as
// written, into exactly these steps.
func TestTheDocumentedExampleParses(t *testing.T) {
	data, err := os.ReadFile("testdata/order-status.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "Order status, happy path" || sc.WorkTypeID != "32" || sc.Integration != "Parley" || sc.Timeout != 20*time.Second {
		t.Fatalf("header = %+v", sc)
	}
	if got := sc.ContactNameFor(7, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); got != "Order test 7" {
		t.Errorf("contact name = %q", got)
	}
	want := []string{
		"expect session_started (implied)",
		"expect agent_joined",
		`expect agent_message contains "How can I help"`,
		`say "Where is my order 1234?"`,
		`expect agent_message matches "order\\s+1234" within 10s`,
		"attach Image https://example.com/receipt.png",
		`expect agent_message contains "Image"`,
		`say "#transfer worktype 45"`,
		`expect rerouted to work type "45"`,
		`say "#fail"`,
		"expect message_failed",
		"wait 1s",
		"end the session",
		"expect session_ended",
	}
	if len(sc.Steps) != len(want) {
		t.Fatalf("%d steps, want %d: %+v", len(sc.Steps), len(want), sc.Steps)
	}
	for i, s := range sc.Steps {
		if s.String() != want[i] {
			t.Errorf("step %d = %s, want %s", i, s, want[i])
		}
		if s.Number != i {
			t.Errorf("step %q numbered %d, want %d", s, s.Number, i)
		}
	}
	if s := sc.Steps[4]; s.Line != 11 || s.Column != 5 || !s.TextMatches("your order  1234 shipped") || s.TextMatches("order 12") {
		t.Errorf("matches step at %d:%d", s.Line, s.Column)
	}
	if d := sc.Steps[4].Deadline(sc); d != 10*time.Second {
		t.Errorf("within: %s", d)
	}
	if d := sc.Steps[1].Deadline(sc); d != 20*time.Second {
		t.Errorf("default deadline: %s", d)
	}
}

func TestNumbersAndBlockTextAreText(t *testing.T) {
	sc, err := scenario.Parse([]byte("name: n\nworkTypeId: 32\ncontactName: Ada\nsteps:\n  - say: |\n      two\n      lines\n  - expect: session_failed\n"))
	if err == nil {
		t.Fatalf("session_failed after a say should be refused: %+v", sc)
	}
	sc, err = scenario.Parse([]byte("name: n\nworkTypeId: 32\ncontactName: Ada\nsteps:\n  - expect: session_failed\n    contains: no agents\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.WorkTypeID != "32" || len(sc.Steps) != 1 || sc.Steps[0].Contains != "no agents" {
		t.Fatalf("%+v", sc)
	}
	sc, err = scenario.Parse([]byte("name: n\nworkTypeId: \"7\"\ncontactName: Ada\nsteps:\n  - say: |\n      two\n      lines\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Steps[1].Text; got != "two\nlines\n" {
		t.Fatalf("block text = %q", got)
	}
}

// An invalid script is refused whole, every problem named with its place.
func TestInvalidScenariosNameEveryProblemWithItsLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each problem, in order, as line:column message fragment
	}{
		{"syntax", "name: [unclosed\n", []string{"line 1, column 7: YAML syntax"}},
		{"not a mapping", "- say: hi\n", []string{"line 1, column 1: the scenario must be a mapping"}},
		{"missing fields", "name: x\n", []string{"the scenario needs workTypeId", "needs contactName", "needs steps"}},
		{"unknown field", "name: x\nworkTypeId: 1\ncontactName: A\nwork: 2\nsteps:\n  - say: hi\n", []string{`line 4, column 1: "work" is not a scenario field`}},
		{"bad timeout", "name: x\nworkTypeId: 1\ncontactName: A\ntimeout: 20\nsteps:\n  - say: hi\n", []string{`line 4, column 10: timeout: "20" is not a duration`}},
		{"too long a timeout", "name: x\nworkTypeId: 1\ncontactName: A\ntimeout: 5h\nsteps:\n  - say: hi\n", []string{"line 4, column 10: timeout is 5h0m0s; at most 4h0m0s"}},
		{"empty steps", "name: x\nworkTypeId: 1\ncontactName: A\nsteps: []\n", []string{"line 4, column 8: steps must be a list"}},
		{"two actions", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - say: hi\n    wait: 1s\n", []string{"line 6, column 5: step 1 has two actions, say and wait"}},
		{"no action", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - within: 1s\n", []string{"line 5, column 5: step 1 has no action"}},
		{"unknown expectation", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - expect: agent_replied\n", []string{`line 5, column 13: step 1: "agent_replied" is not an expectation`}},
		{"bad regexp", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - expect: agent_message\n    matches: \"(\"\n", []string{"line 6, column 14: step 1: matches is not a Go regular expression"}},
		{"two text checks", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - expect: agent_message\n    contains: a\n    equals: a\n", []string{"line 5, column 13: step 1: use one of contains, equals and matches, not 2"}},
		{"contains on the wrong expectation", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - expect: agent_joined\n    contains: a\n", []string{"line 6, column 5: step 1: contains applies to agent_message and session_failed, not agent_joined"}},
		{"modifier on a say", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - say: hi\n    within: 2s\n", []string{"line 6, column 5: step 1: within applies only to expect steps"}},
		{"bad attachment", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - attach: {type: Picture, url: \"ftp://x\"}\n", []string{"line 5, column 14: step 1: attach type must be one of Image, File, Audio, Video"}},
		{"end false", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - end: false\n", []string{"line 5, column 10: step 1: write end: true"}},
		{"say after end", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - end: true\n  - say: hi\n", []string{"line 6, column 5: step 2: the session has been ended by then"}},
		{"start later", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - say: hi\n  - expect: session_started\n", []string{"line 6, column 5: step 2: session_started can only be the first step"}},
		{"empty say", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - say: \"  \"\n", []string{"line 5, column 10: step 1: say needs the text"}},
		{"two documents", "name: x\n---\nname: y\n", []string{"holds one YAML document; this one holds 2"}},
		{"several problems at once", "name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - say: hi\n    contains: x\n  - wait: forever\n", []string{
			"line 6, column 5: step 1: contains applies only to expect steps",
			`line 7, column 11: wait: "forever" is not a duration`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.Parse([]byte(tt.yaml))
			var serr *scenario.Error
			if !errors.As(err, &serr) {
				t.Fatalf("Parse = %v, want a *scenario.Error", err)
			}
			if len(serr.Problems) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %d:\n%s", strings.Join(problemStrings(serr), "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			for i, w := range tt.want {
				if got := serr.Problems[i].String(); !strings.Contains(got, w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got, w)
				}
			}
		})
	}
}

func TestHugeScenarioIsRefusedBeforeParsing(t *testing.T) {
	_, err := scenario.Parse([]byte("name: " + strings.Repeat("x", scenario.MaxBytes)))
	if err == nil || !strings.Contains(err.Error(), "bytes long") {
		t.Fatalf("Parse = %v", err)
	}
}

func problemStrings(e *scenario.Error) []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.String()
	}
	return out
}

// Deep nesting costs the YAML parser time that grows with its square; it
// is refused before parsing, quickly, with its place.
func TestDeepNestingIsRefusedBeforeParsing(t *testing.T) {
	tests := map[string]string{
		"flow lists":    strings.Repeat("[", 200000),
		"flow mappings": strings.Repeat("{a: ", 60000),
		"block lists":   strings.Repeat("- ", 100000) + "x",
		"under a step":  "name: x\nworkTypeId: '1'\ncontactName: A\nsteps:\n  - say: " + strings.Repeat("[", 100) + "\n",
	}
	for name, yaml := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := scenario.Parse([]byte(yaml))
			var serr *scenario.Error
			if !errors.As(err, &serr) || !strings.Contains(err.Error(), "nests more than") {
				t.Fatalf("Parse = %v", err)
			}
		})
	}
	// Brackets in quotes and comments are text, not nesting.
	sc, err := scenario.Parse([]byte("name: x\nworkTypeId: '1'\ncontactName: A # [[[[[[[[[[[[[[[[[[[[\nsteps:\n  - say: \"" + strings.Repeat("[", 40) + "\"\n  - say: '" + strings.Repeat("{", 40) + "'\n"))
	if err != nil || sc.Steps[1].Text != strings.Repeat("[", 40) {
		t.Fatalf("quoted brackets: %v", err)
	}
}

// A short pattern can stand for a huge program; hundreds of them held a CPU
// for seconds at each parse. Each is bounded, and so is their sum, before
// any is compiled; ordinary patterns are far below both.
func TestLargePatternsAreRefusedBeforeCompiling(t *testing.T) {
	head := "name: x\nworkTypeId: \"1\"\ncontactName: y\nsteps:\n"
	step := func(pattern string) string { return "  - expect: agent_message\n    matches: '" + pattern + "'\n" }

	_, err := scenario.Parse([]byte(head + step(strings.Repeat("[a-z]{1,1000}", 6))))
	if err == nil || !strings.Contains(err.Error(), "line 6, column 14: step 1: matches stands for about") {
		t.Fatalf("one huge pattern: %v", err)
	}

	// Each under the bound, together far over it: refused at once, quickly.
	var b strings.Builder
	b.WriteString(head)
	for range 400 {
		b.WriteString(step(strings.Repeat("[a-z]{1,1000}", 4)))
	}
	_, err = scenario.Parse([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "past 50000 program states together") {
		t.Fatalf("many large patterns: %.300v", err)
	}

	ok := head + step(`order\s+#?\d{1,10}\b`) + step(`(?i)^(hello|hi|good (morning|afternoon))[,!.]?\s+\w{1,40}`)
	if _, err := scenario.Parse([]byte(ok)); err != nil {
		t.Fatalf("ordinary patterns: %v", err)
	}
}
