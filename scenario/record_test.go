package scenario_test

import (
	"testing"

	"github.com/parley-dev/parley/scenario"
)

// A recorded conversation becomes a script that parses back into the steps
// that replay it.
func TestRecordWritesAScriptThatParsesBack(t *testing.T) {
	yaml := scenario.Record(scenario.Recording{
		Name: `Ada's "order" chat`, WorkTypeID: "32", ContactName: "Ada", Integration: "Parley",
		Turns: []scenario.Turn{
			{Kind: scenario.AgentJoinedTurn, AgentAlias: "Omar"},
			{Kind: scenario.AgentSaid, Text: "Hi Ada,  this is Omar. How can I help you today?"},
			{Kind: scenario.CustomerSaid, Text: "Where is\nmy order?"},
			{Kind: scenario.AgentSaid, Text: `You said: "Where is my order?"`},
			{Kind: scenario.CustomerSaid, AttachmentType: "Image", AttachmentURL: "https://example.com/r.png"},
			{Kind: scenario.CustomerSaid, Text: "#transfer worktype 45"},
			{Kind: scenario.ReroutedTurn, WorkTypeID: "45"},
			{Kind: scenario.CustomerSaid, Text: "#fail"},
			{Kind: scenario.MessageFailedTurn},
			{Kind: scenario.CustomerEnded},
			{Kind: scenario.SystemEnded},
			{Kind: scenario.AgentSaid, Text: "too late"},
		},
	})
	sc, err := scenario.Parse(yaml)
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	want := []string{
		"expect session_started (implied)",
		"expect agent_joined",
		`expect agent_message contains "Hi Ada,  this is"`,
		`say "Where is\nmy order?"`,
		`expect agent_message contains "You said: \"Where is"`,
		"attach Image https://example.com/r.png",
		`say "#transfer worktype 45"`,
		`expect rerouted to work type "45"`,
		`say "#fail"`,
		"expect message_failed",
		"end the session",
		"expect session_ended",
	}
	if len(sc.Steps) != len(want) {
		t.Fatalf("%d steps, want %d:\n%s", len(sc.Steps), len(want), yaml)
	}
	for i, s := range sc.Steps {
		if s.String() != want[i] {
			t.Errorf("step %d = %s, want %s", i, s, want[i])
		}
	}
	if sc.Name != `Ada's "order" chat` || sc.Integration != "Parley" {
		t.Errorf("header: %+v", sc)
	}
}
