// Package alvaria speaks Alvaria Cloud's Server Messaging REST API v2: the
// client Parley calls it with, the callback events Alvaria sends back, and the
// verification of the JWT that signs each callback.
package alvaria

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Header names fixed by the API.
const (
	HeaderAPIKey    = "x-api-key"
	HeaderSessionID = "server-messaging-session-id"
)

// Scope is the OAuth2 scope that grants access to the Server Messaging API.
const Scope = "servermessagingapi"

// Attachment types the API accepts.
const (
	AttachmentImage = "Image"
	AttachmentFile  = "File"
	AttachmentAudio = "Audio"
	AttachmentVideo = "Video"
)

// AttachmentTypes lists the accepted attachment types in display order.
var AttachmentTypes = []string{AttachmentImage, AttachmentFile, AttachmentAudio, AttachmentVideo}

// WorkTypeID is a work type identifier. The schema calls it a string but the
// document's own example sends the number 32, so both are accepted on input and
// it is always sent as a string.
type WorkTypeID string

// UnmarshalJSON accepts a JSON string or a JSON number.
func (w *WorkTypeID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*w = WorkTypeID(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*w = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("workTypeId must be a string or a number")
	}
	if _, err := strconv.ParseFloat(n.String(), 64); err != nil {
		return fmt.Errorf("workTypeId must be a string or a number")
	}
	*w = WorkTypeID(n.String())
	return nil
}

// NewSession is the body of Create Session.
type NewSession struct {
	WorkTypeID  WorkTypeID `json:"workTypeId"`
	ContactName string     `json:"contactName"`
	Integration string     `json:"integration,omitempty"`
}

// SessionResponse is the 202 body of Create Session.
type SessionResponse struct {
	SessionID string `json:"sessionId"`
}

// Attachment is a link to a multimedia file carried by a message.
type Attachment struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Message is the body of Send Message and the payload of a MESSAGE callback.
type Message struct {
	Text       string      `json:"text,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// MessageResponse is the 202 body of Send Message.
type MessageResponse struct {
	MessageID string `json:"messageId"`
}

// ErrorResponse is the body Alvaria sends with 400, 404, 405, 429 and 500.
type ErrorResponse struct {
	Code    int           `json:"code,omitempty"`
	Message string        `json:"message,omitempty"`
	Errors  []ErrorDetail `json:"errors,omitempty"`
}

// ErrorDetail is one entry of ErrorResponse.Errors.
type ErrorDetail struct {
	Scope   string `json:"scope,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// TokenResponse is the body of a successful OAuth2 token request.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// Callback event names (the "event" field of system events).
const (
	EventNewSession     = "NEW_SESSION"
	EventAgentJoined    = "AGENT_JOINED"
	EventMessageStatus  = "MESSAGE_STATUS"
	EventSessionReroute = "SESSION_REROUTE"
	EventSessionEnd     = "SESSION_END"
	// EventMessage names MESSAGE callbacks, which carry no "event" field and
	// are told apart by having "message" and "senderId".
	EventMessage = "MESSAGE"
)

// Callback statuses and origins.
const (
	StatusSuccess = "SUCCESS"
	StatusFailed  = "FAILED"
	FromSystem    = "SYSTEM"
	SenderSystem  = "SYSTEM"
)

// NewSessionCallback tells whether a Create Session request succeeded.
type NewSessionCallback struct {
	SessionID     string `json:"sessionId"`
	Event         string `json:"event"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage,omitempty"`
	EventID       string `json:"eventId"`
}

// AgentJoinedCallback tells that an agent joined the session.
type AgentJoinedCallback struct {
	SessionID  string `json:"sessionId"`
	Event      string `json:"event"`
	AgentAlias string `json:"agentAlias"`
	EventID    string `json:"eventId"`
}

// MessageStatusCallback reports a failed Send Message request.
type MessageStatusCallback struct {
	SessionID     string `json:"sessionId"`
	Event         string `json:"event"`
	Status        string `json:"status"`
	MessageID     string `json:"messageId"`
	StatusMessage string `json:"statusMessage,omitempty"`
	EventID       string `json:"eventId"`
}

// SessionRerouteCallback tells that the session moved to another agent or work type.
type SessionRerouteCallback struct {
	SessionID  string `json:"sessionId"`
	Event      string `json:"event"`
	EventID    string `json:"eventId"`
	AgentAlias string `json:"agentAlias,omitempty"`
	// WorktypeID is a string in the document; a number is accepted too,
	// as for workTypeId, so a reroute is never lost to its type.
	WorktypeID WorkTypeID `json:"worktypeId,omitempty"`
}

// SessionEndCallback tells that the session is over; From is "SYSTEM" when
// Alvaria ended it rather than a Delete Session request.
type SessionEndCallback struct {
	SessionID string `json:"sessionId"`
	Event     string `json:"event"`
	Status    string `json:"status"`
	From      string `json:"from,omitempty"`
	EventID   string `json:"eventId"`
}

// MessageCallback carries text or an attachment from the agent or the system.
type MessageCallback struct {
	SessionID string  `json:"sessionId"`
	SenderID  string  `json:"senderId"`
	Message   Message `json:"message"`
	EventID   string  `json:"eventId"`
}
