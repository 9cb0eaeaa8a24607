package alvaria

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Callback is one event or message Alvaria posts to the webhook. The method
// names avoid the structs' own EventID and SessionID fields.
type Callback interface {
	// CallbackEvent is the event name, "MESSAGE" for messages.
	CallbackEvent() string
	// CallbackEventID is Alvaria's unique id for this delivery's event;
	// retries of one delivery share it.
	CallbackEventID() string
	// CallbackSessionID is the Server Messaging session it belongs to.
	CallbackSessionID() string
}

// UnknownCallback is a callback with an event name this package does not
// know; it is kept whole so that nothing Alvaria sends is lost.
type UnknownCallback struct {
	Event     string
	EventID   string
	SessionID string
	Raw       json.RawMessage // the callback body as received
}

// MarshalJSON gives back the body as received.
func (u *UnknownCallback) MarshalJSON() ([]byte, error) {
	if len(u.Raw) == 0 {
		return json.Marshal(envelope{Event: u.Event, EventID: u.EventID, SessionID: u.SessionID})
	}
	return u.Raw, nil
}

// The Callback methods of each callback type.

func (c *NewSessionCallback) CallbackEvent() string         { return EventNewSession }
func (c *NewSessionCallback) CallbackEventID() string       { return c.EventID }
func (c *NewSessionCallback) CallbackSessionID() string     { return c.SessionID }
func (c *AgentJoinedCallback) CallbackEvent() string        { return EventAgentJoined }
func (c *AgentJoinedCallback) CallbackEventID() string      { return c.EventID }
func (c *AgentJoinedCallback) CallbackSessionID() string    { return c.SessionID }
func (c *MessageStatusCallback) CallbackEvent() string      { return EventMessageStatus }
func (c *MessageStatusCallback) CallbackEventID() string    { return c.EventID }
func (c *MessageStatusCallback) CallbackSessionID() string  { return c.SessionID }
func (c *SessionRerouteCallback) CallbackEvent() string     { return EventSessionReroute }
func (c *SessionRerouteCallback) CallbackEventID() string   { return c.EventID }
func (c *SessionRerouteCallback) CallbackSessionID() string { return c.SessionID }
func (c *SessionEndCallback) CallbackEvent() string         { return EventSessionEnd }
func (c *SessionEndCallback) CallbackEventID() string       { return c.EventID }
func (c *SessionEndCallback) CallbackSessionID() string     { return c.SessionID }
func (c *MessageCallback) CallbackEvent() string            { return EventMessage }
func (c *MessageCallback) CallbackEventID() string          { return c.EventID }
func (c *MessageCallback) CallbackSessionID() string        { return c.SessionID }
func (u *UnknownCallback) CallbackEvent() string            { return u.Event }
func (u *UnknownCallback) CallbackEventID() string          { return u.EventID }
func (u *UnknownCallback) CallbackSessionID() string        { return u.SessionID }

// envelope holds the fields that say what kind of callback a body is. It is
// decoded with the same rules as the typed structs (case-insensitive names,
// last duplicate wins), so both always agree on these values.
type envelope struct {
	Event     string          `json:"event,omitempty"`
	EventID   string          `json:"eventId"`
	SessionID string          `json:"sessionId"`
	SenderID  *string         `json:"senderId,omitempty"`
	Message   json.RawMessage `json:"message,omitempty"`
}

// ParseCallback decodes a callback body into its typed value: system events
// by their "event" field, MESSAGE by having "message" and "senderId", and any
// other event name as *UnknownCallback. The error says what is wrong with a
// body that is none of these.
func ParseCallback(body []byte) (Callback, error) {
	trimmed := bytes.TrimSpace(body)
	if !json.Valid(trimmed) {
		return nil, errors.New("callback body is not valid JSON")
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("callback body is JSON but not an object (it starts with %q)", trimmed[:1])
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, fmt.Errorf("callback: %w", describeJSONError(err))
	}
	if env.EventID == "" {
		return nil, errors.New("callback has no eventId")
	}
	if env.SessionID == "" {
		return nil, errors.New("callback has no sessionId")
	}

	event := env.Event
	if event == "" {
		if env.SenderID == nil && isAbsent(env.Message) {
			return nil, errors.New("callback has neither an event nor a message")
		}
		event = EventMessage
	}
	var cb Callback
	var required []field
	switch event {
	case EventNewSession:
		c := &NewSessionCallback{}
		cb, required = c, []field{{"status", &c.Status}}
	case EventAgentJoined:
		c := &AgentJoinedCallback{}
		cb, required = c, []field{{"agentAlias", &c.AgentAlias}}
	case EventMessageStatus:
		c := &MessageStatusCallback{}
		cb, required = c, []field{{"status", &c.Status}, {"messageId", &c.MessageID}}
	case EventSessionReroute:
		cb = &SessionRerouteCallback{}
	case EventSessionEnd:
		c := &SessionEndCallback{}
		cb, required = c, []field{{"status", &c.Status}}
	case EventMessage:
		if isAbsent(env.Message) {
			return nil, errors.New("MESSAGE callback has no message")
		}
		if env.SenderID == nil || *env.SenderID == "" {
			return nil, errors.New("MESSAGE callback has no senderId")
		}
		cb = &MessageCallback{}
	default:
		return &UnknownCallback{
			Event:     env.Event,
			EventID:   env.EventID,
			SessionID: env.SessionID,
			Raw:       json.RawMessage(bytes.Clone(trimmed)),
		}, nil
	}
	if err := json.Unmarshal(trimmed, cb); err != nil {
		return nil, fmt.Errorf("%s callback: %w", event, describeJSONError(err))
	}
	for _, f := range required {
		if *f.value == "" {
			return nil, fmt.Errorf("%s callback has no %s", event, f.name)
		}
	}
	return cb, nil
}

// field is a required string field of a callback, checked after decoding.
type field struct {
	name  string
	value *string
}

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// describeJSONError turns a type mismatch into "field x must be a string"
// rather than json's Go-flavoured message.
func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %s must be %s, not a JSON %s", te.Field, JSONKind(te.Type), te.Value)
	}
	return err
}

// JSONKind names a Go type as the JSON kind that decodes into it ("a
// string", "an object"), for error messages people read.
func JSONKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "a boolean"
	default:
		return "a number"
	}
}
