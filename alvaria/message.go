package alvaria

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// SendMessage sends text and/or an attachment into a session and returns
// Alvaria's messageId; a failure found later arrives as a MESSAGE_STATUS
// callback.
//
// Alvaria does not document deduplicating messages, and a second request
// would show the customer's message twice, so it is retried only when
// Alvaria certainly did not take it: the connection could not be made, or it
// answered 429. Any 5xx answer, and a timeout or broken connection once the
// request was sent, returns an error wrapping ErrOutcomeUnknown.
func (c *Client) SendMessage(ctx context.Context, sessionID string, m Message) (string, error) {
	if err := validateSessionID(sessionID); err != nil {
		return "", fmt.Errorf("send message: %w", err)
	}
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("send message: %w", err)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("send message: %w", err)
	}
	var out MessageResponse
	err = c.do(ctx, call{
		op:        "send message",
		endpoint:  "send_message",
		method:    http.MethodPost,
		url:       c.messageURL,
		sessionID: sessionID,
		body:      body,
		repeat:    repeatSend,
	}, &out)
	if err != nil {
		return "", err
	}
	if out.MessageID == "" {
		return "", fmt.Errorf("send message: Alvaria's answer has no messageId: %w", ErrOutcomeUnknown)
	}
	return out.MessageID, nil
}
