package conversation

import (
	"testing"

	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

func TestRecordingFollowsTheTranscript(t *testing.T) {
	ev := func(id, payload string) Event { return Event{EventID: id, Payload: payload} }
	d := Detail{
		Session: Session{ContactName: "Ada", WorkTypeID: "32", Integration: "Parley"},
		Events: []Event{
			ev("e1", `{"sessionId":"s","event":"AGENT_JOINED","eventId":"e1","agentAlias":"Maria"}`),
			ev("e2", `{"sessionId":"s","event":"SESSION_REROUTE","eventId":"e2","worktypeId":"45"}`),
			ev("e3", `{"sessionId":"s","event":"SESSION_END","eventId":"e3","status":"SUCCESS","from":"SYSTEM"}`),
		},
		// Listed by seq: the failed message changed last, but was written second.
		Messages: []Message{
			{ID: 1, Direction: store.DirectionSystem, Text: "Maria joined the conversation.", EventID: "note-e1"},
			{ID: 3, Direction: store.DirectionAgent, Text: "Hi Ada, this is Maria.", EventID: "m1"},
			{ID: 4, Direction: store.DirectionCustomer, AttachmentType: "Image", AttachmentURL: "https://example.com/a.png"},
			{ID: 5, Direction: store.DirectionSystem, Text: "Transferred to work type 45.", EventID: "note-e2"},
			{ID: 6, Direction: store.DirectionSystem, Text: "A note Parley wrote itself."},
			{ID: 7, Direction: store.DirectionSystem, Text: "Alvaria ended the session.", EventID: "note-e3"},
			{ID: 2, Direction: store.DirectionCustomer, Text: "#fail", Status: store.MessageFailed},
		},
	}
	want := []scenario.Turn{
		{Kind: scenario.AgentJoinedTurn},
		{Kind: scenario.CustomerSaid, Text: "#fail"},
		{Kind: scenario.MessageFailedTurn},
		{Kind: scenario.AgentSaid, Text: "Hi Ada, this is Maria."},
		{Kind: scenario.CustomerSaid, AttachmentType: "Image", AttachmentURL: "https://example.com/a.png"},
		{Kind: scenario.ReroutedTurn, WorkTypeID: "45"},
		{Kind: scenario.SystemEnded},
	}
	rec := recording(d)
	if rec.WorkTypeID != "32" || rec.ContactName != "Ada" || rec.Integration != "Parley" {
		t.Errorf("recording's session = %+v", rec)
	}
	if len(rec.Turns) != len(want) {
		t.Fatalf("turns = %+v\nwant %+v", rec.Turns, want)
	}
	for i := range want {
		if rec.Turns[i] != want[i] {
			t.Errorf("turn %d = %+v, want %+v", i, rec.Turns[i], want[i])
		}
	}
	if _, err := scenario.Parse(scenario.Record(rec)); err != nil {
		t.Errorf("the recorded script does not parse: %v", err)
	}
}

func TestRecordingEndedByParley(t *testing.T) {
	d := Detail{
		Events:   []Event{{EventID: "e9", Payload: `{"sessionId":"s","event":"SESSION_END","eventId":"e9","status":"SUCCESS"}`}},
		Messages: []Message{{ID: 1, Direction: store.DirectionSystem, EventID: "note-e9"}},
	}
	if turns := recording(d).Turns; len(turns) != 1 || turns[0].Kind != scenario.CustomerEnded {
		t.Errorf("turns = %+v, want the end Parley asked for", turns)
	}
}
