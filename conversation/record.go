package conversation

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// ScenarioFromSession writes a session's conversation as a conversation-test
// script that replays it ("Save as test"): what the customer wrote, what
// the agent answered, reroutes, failures and the end, in transcript order.
func (svc *Service) ScenarioFromSession(ctx context.Context, sessionID string) (string, error) {
	d, err := svc.Changes(ctx, sessionID, 0)
	if err != nil {
		return "", err
	}
	return string(scenario.Record(recording(d))), nil
}

// recording reads the transcript in the order it was written. System notes
// stand for the callbacks that made them (joined, transferred, ended), so
// each is read back from its event.
func recording(d Detail) scenario.Recording {
	events := make(map[string]Event, len(d.Events))
	for _, e := range d.Events {
		events[e.EventID] = e
	}
	rec := scenario.Recording{Name: d.Session.ContactName, Connection: d.Session.ConnectionSlug, WorkTypeID: d.Session.WorkTypeID, ContactName: d.Session.ContactName, Integration: d.Session.Integration}
	// By id, the order they were written: a status change moves a
	// message's seq, not its place in the conversation.
	messages := slices.SortedFunc(slices.Values(d.Messages), func(a, b Message) int { return cmp.Compare(a.ID, b.ID) })
	for _, m := range messages {
		switch {
		case m.Direction == store.DirectionCustomer:
			rec.Turns = append(rec.Turns, scenario.Turn{Kind: scenario.CustomerSaid, Text: m.Text, AttachmentType: m.AttachmentType, AttachmentURL: m.AttachmentURL})
			if m.Status == store.MessageFailed {
				rec.Turns = append(rec.Turns, scenario.Turn{Kind: scenario.MessageFailedTurn})
			}
		case strings.HasPrefix(m.EventID, "note-"):
			if t, ok := noteTurn(events[strings.TrimPrefix(m.EventID, "note-")]); ok {
				rec.Turns = append(rec.Turns, t)
			}
		case m.EventID != "": // a MESSAGE from the agent or the system
			rec.Turns = append(rec.Turns, scenario.Turn{Kind: scenario.AgentSaid, Text: m.Text, AttachmentType: m.AttachmentType, AttachmentURL: m.AttachmentURL})
		}
	}
	return rec
}

// noteTurn is the turn of the callback behind a system note.
func noteTurn(e Event) (scenario.Turn, bool) {
	cb, err := alvaria.ParseCallback([]byte(e.Payload))
	if err != nil {
		return scenario.Turn{}, false
	}
	switch c := cb.(type) {
	case *alvaria.AgentJoinedCallback:
		return scenario.Turn{Kind: scenario.AgentJoinedTurn}, true
	case *alvaria.SessionRerouteCallback:
		return scenario.Turn{Kind: scenario.ReroutedTurn, WorkTypeID: string(c.WorktypeID), AgentAlias: c.AgentAlias}, true
	case *alvaria.SessionEndCallback:
		if c.Status == alvaria.StatusFailed {
			return scenario.Turn{}, false
		}
		if c.From == alvaria.FromSystem {
			return scenario.Turn{Kind: scenario.SystemEnded}, true
		}
		return scenario.Turn{Kind: scenario.CustomerEnded}, true
	}
	return scenario.Turn{}, false
}
