package store

import "time"

// Session states as stored. Ended and Failed are terminal: nothing that
// arrives later makes such a session live again.
const (
	SessionPending   = "pending"
	SessionActive    = "active"
	SessionConnected = "connected"
	SessionEnded     = "ended"
	SessionFailed    = "failed"
)

// Terminal reports whether a session in this state is over for good.
func Terminal(state string) bool { return state == SessionEnded || state == SessionFailed }

// Message directions.
const (
	DirectionCustomer = "customer"
	DirectionAgent    = "agent"
	DirectionSystem   = "system"
)

// Message delivery statuses. Customer messages go sending → sent, failed or
// unknown (the send may or may not have reached Alvaria: a timeout, or
// Parley lost track of it); messages from Alvaria are received.
const (
	MessageSending  = "sending"
	MessageSent     = "sent"
	MessageFailed   = "failed"
	MessageUnknown  = "unknown"
	MessageReceived = "received"
)

// Session is one Server Messaging session Parley started.
type Session struct {
	ID               string // ours, a UUIDv7, so ids sort by creation
	AlvariaSessionID string
	Connection       string // the name of the connection it ran on, as it was then
	ConnectionSlug   string // the connection it ran on; empty for sessions older than connections
	WorkTypeID       string
	ContactName      string
	Integration      string
	State            string
	StateDetail      string // why it failed, in Alvaria's words
	AgentAlias       string
	StartedBy        string
	RunID            *int64 // the conversation test run that drove it, if any
	MessageCount     int    // customer and agent messages, not system notes
	Seq              int64
	CreatedAt        time.Time
	LastActivityAt   time.Time
	EndedAt          *time.Time
	EndedBy          string // who ended it: a username, "Alvaria" or "Parley"; empty while live
	Verdict          string // QA's verdict (see conversation.Verdicts), or empty
	ReviewNotes      string
	ReviewedBy       string
	ReviewedAt       *time.Time
}

// adminRole is accounts.RoleAdmin, which the store needs to keep one
// active admin; what roles mean is the accounts service's business.
const adminRole = "admin"

// User is a person who signs in to the console.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         string // see accounts.Roles
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// WebSession is a signed-in browser. Only a hash of its cookie is stored.
type WebSession struct {
	TokenHash  string `gorm:"primaryKey"`
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	ClientAddr string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// ReviewChange is one change of a session's QA review.
type ReviewChange struct {
	ID        int64
	SessionID string
	Verdict   string
	Notes     string
	Author    string
	At        time.Time
}

// Message is one line of a transcript.
type Message struct {
	ID               int64
	SessionID        string
	Direction        string
	SenderID         string // the agent's senderId, or who typed a customer message
	Text             string
	AttachmentType   string
	AttachmentURL    string
	AlvariaMessageID string
	EventID          string // the callback that brought it, if any
	Status           string
	StatusDetail     string
	Seq              int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// CallbackEvent is a callback as received, kept whole for the timeline.
type CallbackEvent struct {
	ID               int64
	EventID          string
	Type             string
	AlvariaSessionID string
	SessionID        *string // nil until the session it names is known
	Payload          string  // the body as received, or with U+FFFD for bytes text cannot hold
	PayloadBase64    string  // the original body, when Payload had to differ from it
	Verified         bool
	VerifyDetail     string
	ParseError       string
	Seq              int64
	ReceivedAt       time.Time
	AppliedAt        *time.Time
}

// AuditEntry records who did what.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Actor      string
	Action     string
	Target     string
	Detail     string
	ClientAddr string
}

// Connection is an Alvaria tenant managed in the console. Secrets are kept
// sealed (package seal); the store never sees them in the clear.
type Connection struct {
	ID                 int64
	Slug               string // in the callback URL and on sessions; never changes
	Name               string
	Region             string
	APIURL             string `gorm:"column:api_url"`
	TokenURL           string
	OrgID              string
	ClientID           string
	ClientSecretSealed string
	APIKeySealed       string `gorm:"column:api_key_sealed"`
	CallbackKeys       string // one or more PEM public keys
	DefaultWorkType    string
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}
