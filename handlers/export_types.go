package handlers

import (
	"time"

	"github.com/parley-dev/parley/conversation"
)

// Exports name every field the same way in JSON and CSV: snake_case, times
// in UTC RFC 3339.

// exportSession is a session's header in exports.
type exportSession struct {
	ID               string `json:"id"`
	AlvariaSessionID string `json:"alvaria_session_id"`
	Contact          string `json:"contact"`
	WorkType         string `json:"work_type"`
	Integration      string `json:"integration"`
	Connection       string `json:"connection"`
	State            string `json:"state"`
	StateDetail      string `json:"state_detail,omitempty"`
	Agent            string `json:"agent"`
	StartedBy        string `json:"started_by"`
	StartedAt        string `json:"started_at"`
	LastActivityAt   string `json:"last_activity_at"`
	EndedAt          string `json:"ended_at"`
	EndedBy          string `json:"ended_by"`
	Messages         int    `json:"messages"`
	Verdict          string `json:"verdict"`
	ReviewNotes      string `json:"review_notes"`
	ReviewedBy       string `json:"reviewed_by"`
}

// exportSessionColumns are exportSession's fields as CSV columns, in order.
var exportSessionColumns = []string{"id", "alvaria_session_id", "contact", "work_type", "integration", "connection", "state", "state_detail",
	"agent", "started_by", "started_at", "last_activity_at", "ended_at", "ended_by", "messages", "verdict", "review_notes", "reviewed_by"}

func newExportSession(s conversation.Session) exportSession {
	e := exportSession{
		ID: s.ID, AlvariaSessionID: s.AlvariaSessionID, Contact: s.ContactName, WorkType: s.WorkTypeID, Integration: s.Integration,
		Connection: s.Connection, State: s.Status, StateDetail: s.StateDetail, Agent: s.AgentAlias, StartedBy: s.StartedBy,
		StartedAt: stamp(s.CreatedAt), LastActivityAt: stamp(s.LastActivityAt), Messages: s.MessageCount,
		Verdict: s.Verdict, ReviewNotes: s.ReviewNotes, ReviewedBy: s.ReviewedBy,
	}
	if s.EndedAt != nil {
		e.EndedAt, e.EndedBy = stamp(*s.EndedAt), s.EndedBy
	}
	return e
}

func (e exportSession) cells() []string {
	return []string{e.ID, e.AlvariaSessionID, e.Contact, e.WorkType, e.Integration, e.Connection, e.State, e.StateDetail,
		e.Agent, e.StartedBy, e.StartedAt, e.LastActivityAt, e.EndedAt, e.EndedBy, itoa(e.Messages), e.Verdict, e.ReviewNotes, e.ReviewedBy}
}

// exportMessage is one line of a transcript.
type exportMessage struct {
	At               string `json:"at"`
	Direction        string `json:"direction"`
	Sender           string `json:"sender"`
	Text             string `json:"text"`
	AttachmentType   string `json:"attachment_type,omitempty"`
	AttachmentURL    string `json:"attachment_url,omitempty"`
	Status           string `json:"status"`
	StatusDetail     string `json:"status_detail,omitempty"`
	AlvariaMessageID string `json:"alvaria_message_id,omitempty"`
	EventID          string `json:"event_id,omitempty"`
}

var exportMessageColumns = []string{"at", "direction", "sender", "text", "attachment_type", "attachment_url", "status", "status_detail", "alvaria_message_id", "event_id"}

func newExportMessage(m conversation.Message) exportMessage {
	return exportMessage{At: stamp(m.CreatedAt), Direction: m.Direction, Sender: m.SenderID, Text: m.Text, AttachmentType: m.AttachmentType,
		AttachmentURL: m.AttachmentURL, Status: m.Status, StatusDetail: m.StatusDetail, AlvariaMessageID: m.AlvariaMessageID, EventID: m.EventID}
}

func (e exportMessage) cells() []string {
	return []string{e.At, e.Direction, e.Sender, e.Text, e.AttachmentType, e.AttachmentURL, e.Status, e.StatusDetail, e.AlvariaMessageID, e.EventID}
}

// exportEvent is one callback as received.
type exportEvent struct {
	EventID      string `json:"event_id"`
	Type         string `json:"type"`
	ReceivedAt   string `json:"received_at"`
	Verified     bool   `json:"verified"`
	VerifyDetail string `json:"verify_detail"`
	ParseError   string `json:"parse_error,omitempty"`
	Payload      string `json:"payload"`
	// PayloadBase64 is the body's bytes when payload had to differ from them.
	PayloadBase64 string `json:"payload_base64,omitempty"`
}

func newExportEvent(e conversation.Event) exportEvent {
	return exportEvent{EventID: e.EventID, Type: e.Type, ReceivedAt: stamp(e.ReceivedAt), Verified: e.Verified, VerifyDetail: e.VerifyDetail,
		ParseError: e.ParseError, Payload: e.Payload, PayloadBase64: e.PayloadBase64}
}

// exportReview is one change of QA's review.
type exportReview struct {
	At      string `json:"at"`
	By      string `json:"by"`
	Verdict string `json:"verdict"`
	Notes   string `json:"notes"`
}

// exportTranscript is a transcript download: the session's header first.
type exportTranscript struct {
	Session  exportSession   `json:"session"`
	Messages []exportMessage `json:"messages"`
	Events   []exportEvent   `json:"events"`
	Reviews  []exportReview  `json:"reviews"`
}

func newExportTranscript(d conversation.Detail) exportTranscript {
	t := exportTranscript{Session: newExportSession(d.Session), Messages: []exportMessage{}, Events: []exportEvent{}, Reviews: []exportReview{}}
	for _, m := range d.Messages {
		t.Messages = append(t.Messages, newExportMessage(m))
	}
	for _, e := range d.Events {
		t.Events = append(t.Events, newExportEvent(e))
	}
	for _, r := range d.Reviews {
		t.Reviews = append(t.Reviews, exportReview{At: stamp(r.At), By: r.Author, Verdict: r.Verdict, Notes: r.Notes})
	}
	return t
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
