package store

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// SessionCursor is the position after which the next page of sessions starts.
type SessionCursor struct {
	CreatedAt time.Time
	ID        string
}

// String encodes the cursor for a URL.
func (c SessionCursor) String() string {
	raw := c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errBadCursor = errors.New("malformed page cursor")

// ParseSessionCursor decodes what String made.
func ParseSessionCursor(s string) (*SessionCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errBadCursor
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" {
		return nil, errBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, errBadCursor
	}
	return &SessionCursor{CreatedAt: t, ID: id}, nil
}
