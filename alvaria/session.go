package alvaria

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// CreateSession opens a Server Messaging session and returns Alvaria's
// provisional sessionId; a NEW_SESSION callback later says whether it worked.
//
// A second request would open a second session, so CreateSession is retried
// only when Alvaria did not act on the first: the connection could not be
// made, or Alvaria answered with an error (429, 500, 502, 503). After a
// timeout or a broken connection once the request was sent, or a gateway's
// 504, it returns an error wrapping ErrOutcomeUnknown instead; the session
// may exist, and its NEW_SESSION callback will carry a sessionId Parley
// never saw.
func (c *Client) CreateSession(ctx context.Context, s NewSession) (string, error) {
	if err := s.Validate(); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	body, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	var out SessionResponse
	err = c.do(ctx, call{
		op:       "create session",
		endpoint: "create_session",
		method:   http.MethodPost,
		url:      c.sessionURL,
		body:     body,
		repeat:   repeatCreate,
	}, &out)
	if err != nil {
		return "", err
	}
	if out.SessionID == "" {
		return "", fmt.Errorf("create session: Alvaria's answer has no sessionId: %w", ErrOutcomeUnknown)
	}
	return out.SessionID, nil
}

// DeleteSession ends a session; Alvaria confirms with a SESSION_END callback.
// Deleting is idempotent, so every retryable failure is retried.
func (c *Client) DeleteSession(ctx context.Context, sessionID string) error {
	if err := validateSessionID(sessionID); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return c.do(ctx, call{
		op:        "delete session",
		endpoint:  "delete_session",
		method:    http.MethodDelete,
		url:       c.sessionURL,
		sessionID: sessionID,
		repeat:    repeatFreely,
	}, nil)
}
