package alvaria

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The six callback examples, verbatim from the API document.
const (
	exampleNewSession = `{
"sessionId": "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5",
"event": "NEW_SESSION",
"status": "SUCCESS",
"eventId": "22D45513-66F7-4A02-9998-EF8E72AB2363"
}`
	exampleAgentJoined = `{
"sessionId": "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5",
"event": "AGENT_JOINED",
"agentAlias": "John",
"eventId": "22D45513-66F7-4A02-9998-EF8E72AB2363"
}`
	exampleMessageStatus = `{
"sessionId": "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5",
"event": "MESSAGE_STATUS",
"status": "FAILED",
"messageId": "d1e73bad-6efe-462f-8182-913f2f1306b4",
"statusMessage": "Session does not exist",
"eventId": "22D45513-66F7-4A02-9998-EF8E72AB2363"
}`
	exampleSessionReroute = `{
"sessionId": "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5",
"event": "SESSION_REROUTE",
"eventId": "22D45513-66F7-4A02-9998-EF8E72AB2363",
"agentAlias": "John"
}`
	exampleSessionEnd = `{
"sessionId": "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5",
"event": "SESSION_END",
"status": "SUCCESS",
"from": "SYSTEM",
"eventId": "22D45513-66F7-4A02-9998-EF8E72AB2363"
}`
	exampleMessage = `{
"sessionId": "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5",
"senderId": "SYSTEM",
"message": {
"text": "Hello there.",
"attachment": {
"type": "Image",
"url": "http://www.mydomain.com/image/graphics01.jpg"
}
},
"eventId": "22D45513-66F7-4A02-9998-EF8E72AB2363"
}`
)

const (
	docSessionID = "38D1FBA0-2079-42FB-93C2-0DE301CF8FF5"
	docEventID   = "22D45513-66F7-4A02-9998-EF8E72AB2363"
)

var documentExamples = []string{
	exampleNewSession, exampleAgentJoined, exampleMessageStatus,
	exampleSessionReroute, exampleSessionEnd, exampleMessage,
}

func TestParseCallbackDocumentExamples(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		event string
		want  Callback
	}{
		{"NEW_SESSION", exampleNewSession, EventNewSession, &NewSessionCallback{
			SessionID: docSessionID, Event: EventNewSession, Status: StatusSuccess, EventID: docEventID,
		}},
		{"AGENT_JOINED", exampleAgentJoined, EventAgentJoined, &AgentJoinedCallback{
			SessionID: docSessionID, Event: EventAgentJoined, AgentAlias: "John", EventID: docEventID,
		}},
		{"MESSAGE_STATUS", exampleMessageStatus, EventMessageStatus, &MessageStatusCallback{
			SessionID: docSessionID, Event: EventMessageStatus, Status: StatusFailed,
			MessageID: "d1e73bad-6efe-462f-8182-913f2f1306b4", StatusMessage: "Session does not exist", EventID: docEventID,
		}},
		{"SESSION_REROUTE", exampleSessionReroute, EventSessionReroute, &SessionRerouteCallback{
			SessionID: docSessionID, Event: EventSessionReroute, EventID: docEventID, AgentAlias: "John",
		}},
		{"SESSION_END", exampleSessionEnd, EventSessionEnd, &SessionEndCallback{
			SessionID: docSessionID, Event: EventSessionEnd, Status: StatusSuccess, From: FromSystem, EventID: docEventID,
		}},
		{"MESSAGE", exampleMessage, EventMessage, &MessageCallback{
			SessionID: docSessionID, SenderID: SenderSystem, EventID: docEventID,
			Message: Message{Text: "Hello there.", Attachment: &Attachment{Type: AttachmentImage, URL: "http://www.mydomain.com/image/graphics01.jpg"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParseAs(t, tt.body, tt.want)
			if got.CallbackEvent() != tt.event || got.CallbackEventID() != docEventID || got.CallbackSessionID() != docSessionID {
				t.Errorf("Callback methods = %q %q %q", got.CallbackEvent(), got.CallbackEventID(), got.CallbackSessionID())
			}
		})
	}
}

// mustParseAs parses body and checks it reads as want.
func mustParseAs(t *testing.T, body string, want Callback) Callback {
	t.Helper()
	got, err := ParseCallback([]byte(body))
	if err != nil {
		t.Fatalf("ParseCallback: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	return got
}

func TestParseCallbackVariants(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Callback
	}{
		{"reroute to a work type", `{"sessionId":"s","event":"SESSION_REROUTE","eventId":"e","worktypeId":"77"}`,
			&SessionRerouteCallback{SessionID: "s", Event: EventSessionReroute, EventID: "e", WorktypeID: "77"}},
		{"failed new session", `{"sessionId":"s","event":"NEW_SESSION","status":"FAILED","statusMessage":"no such work type","eventId":"e"}`,
			&NewSessionCallback{SessionID: "s", Event: EventNewSession, Status: StatusFailed, StatusMessage: "no such work type", EventID: "e"}},
		{"message from an agent, text only", `{"sessionId":"s","senderId":"John","message":{"text":"hi"},"eventId":"e"}`,
			&MessageCallback{SessionID: "s", SenderID: "John", EventID: "e", Message: Message{Text: "hi"}}},
		{"message with explicit event", `{"event":"MESSAGE","sessionId":"s","senderId":"SYSTEM","message":{"text":"hi"},"eventId":"e"}`,
			&MessageCallback{SessionID: "s", SenderID: "SYSTEM", EventID: "e", Message: Message{Text: "hi"}}},
		{"extra fields are ignored", `{"sessionId":"s","event":"AGENT_JOINED","agentAlias":"Jo","eventId":"e","agentId":42}`,
			&AgentJoinedCallback{SessionID: "s", Event: EventAgentJoined, AgentAlias: "Jo", EventID: "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustParseAs(t, tt.body, tt.want)
		})
	}
}

func TestParseCallbackUnknownEventIsKept(t *testing.T) {
	body := ` {"sessionId":"s1","event":"TYPING_STARTED","eventId":"e1","agentAlias":"John"}`
	got, err := ParseCallback([]byte(body))
	if err != nil {
		t.Fatalf("ParseCallback: %v", err)
	}
	u, ok := got.(*UnknownCallback)
	if !ok {
		t.Fatalf("got %T, want *UnknownCallback", got)
	}
	if u.Event != "TYPING_STARTED" || u.EventID != "e1" || u.SessionID != "s1" || string(u.Raw) != strings.TrimSpace(body) {
		t.Errorf("got %+v", u)
	}
	if u.CallbackEvent() != "TYPING_STARTED" || u.CallbackEventID() != "e1" || u.CallbackSessionID() != "s1" {
		t.Error("Callback methods disagree with fields")
	}
	out, err := json.Marshal(u)
	if err != nil || string(out) != strings.TrimSpace(body) {
		t.Errorf("Marshal = %s, %v; want the body back", out, err)
	}
}

func TestParseCallbackBroken(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // substring of the error
	}{
		{"empty", ``, "not valid JSON"},
		{"not JSON", `sessionId=s&eventId=e`, "not valid JSON"},
		{"truncated", `{"sessionId":"s","event":"NEW_SESSION"`, "not valid JSON"},
		{"array", `[{"sessionId":"s","eventId":"e","event":"NEW_SESSION","status":"SUCCESS"}]`, "not an object"},
		{"string", `"NEW_SESSION"`, "not an object"},
		{"null", `null`, "not an object"},
		{"missing eventId", `{"sessionId":"s","event":"NEW_SESSION","status":"SUCCESS"}`, "no eventId"},
		{"empty eventId", `{"sessionId":"s","event":"NEW_SESSION","status":"SUCCESS","eventId":""}`, "no eventId"},
		{"numeric eventId", `{"sessionId":"s","event":"NEW_SESSION","status":"SUCCESS","eventId":7}`, "field eventId must be a string, not a JSON number"},
		{"missing sessionId", `{"event":"NEW_SESSION","status":"SUCCESS","eventId":"e"}`, "no sessionId"},
		{"event not a string", `{"sessionId":"s","event":{"name":"X"},"eventId":"e"}`, "field event must be a string, not a JSON object"},
		{"neither event nor message", `{"sessionId":"s","eventId":"e"}`, "neither an event nor a message"},
		{"MESSAGE without message", `{"sessionId":"s","senderId":"SYSTEM","eventId":"e"}`, "MESSAGE callback has no message"},
		{"MESSAGE with null message", `{"sessionId":"s","senderId":"SYSTEM","message":null,"eventId":"e"}`, "MESSAGE callback has no message"},
		{"MESSAGE event without message", `{"sessionId":"s","event":"MESSAGE","senderId":"SYSTEM","eventId":"e"}`, "MESSAGE callback has no message"},
		{"MESSAGE without senderId", `{"sessionId":"s","message":{"text":"hi"},"eventId":"e"}`, "MESSAGE callback has no senderId"},
		{"message not an object", `{"sessionId":"s","senderId":"SYSTEM","message":"hi","eventId":"e"}`, "field message must be an object, not a JSON string"},
		{"attachment type not a string", `{"sessionId":"s","senderId":"SYSTEM","message":{"attachment":{"type":1}},"eventId":"e"}`, "message.attachment.type"},
		{"NEW_SESSION without status", `{"sessionId":"s","event":"NEW_SESSION","eventId":"e"}`, "NEW_SESSION callback has no status"},
		{"MESSAGE_STATUS without messageId", `{"sessionId":"s","event":"MESSAGE_STATUS","status":"FAILED","eventId":"e"}`, "MESSAGE_STATUS callback has no messageId"},
		{"SESSION_END without status", `{"sessionId":"s","event":"SESSION_END","eventId":"e"}`, "SESSION_END callback has no status"},
		{"AGENT_JOINED without alias", `{"sessionId":"s","event":"AGENT_JOINED","eventId":"e"}`, "AGENT_JOINED callback has no agentAlias"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCallback([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseCallback = %#v, want an error", got)
			}
			if got != nil {
				t.Errorf("got a value %#v with the error", got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// FuzzParseCallback checks that ParseCallback never panics, that what it
// accepts has the identifying fields, and that it re-marshals into a body
// that parses to the same value.
func FuzzParseCallback(f *testing.F) {
	for _, ex := range documentExamples {
		f.Add([]byte(ex))
	}
	f.Add([]byte(`{"sessionId":"s","event":"SOMETHING_NEW","eventId":"e"}`))
	f.Add([]byte(`{"sessionId":"s","senderId":"x","message":{},"eventId":"e"}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := ParseCallback(body)
		if err != nil {
			if cb != nil {
				t.Fatalf("value %#v returned with error %v", cb, err)
			}
			return
		}
		if cb.CallbackEventID() == "" || cb.CallbackSessionID() == "" || cb.CallbackEvent() == "" {
			t.Fatalf("accepted %q without event, eventId or sessionId: %#v", body, cb)
		}
		out, err := json.Marshal(cb)
		if err != nil {
			t.Fatalf("re-marshal %#v: %v", cb, err)
		}
		again, err := ParseCallback(out)
		if err != nil {
			t.Fatalf("re-parse %s (from %q): %v", out, body, err)
		}
		if u, ok := cb.(*UnknownCallback); ok {
			// Raw is re-marshalled compactly, so compare what it says.
			a, ok := again.(*UnknownCallback)
			if !ok || a.Event != u.Event || a.EventID != u.EventID || a.SessionID != u.SessionID {
				t.Fatalf("unknown callback changed: %#v → %#v", u, again)
			}
			return
		}
		if !reflect.DeepEqual(cb, again) {
			t.Fatalf("round trip changed the value:\n%#v\n%#v", cb, again)
		}
	})
}
