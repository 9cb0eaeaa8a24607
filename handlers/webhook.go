package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/conversation"
)

// DefaultCallbackTimeout bounds a callback's database work when Deps leaves
// CallbackTimeout zero: well inside Alvaria's patience, so a locked table
// gets a 503 and a retry rather than a hung request.
const DefaultCallbackTimeout = 5 * time.Second

// maxCallbackBytes bounds a callback body; Alvaria's events are a few hundred
// bytes, so anything near this is not one.
const maxCallbackBytes = 1 << 20

// maxSlugBytes is longer than any connection's slug.
const maxSlugBytes = 64

// webhook takes Alvaria's callbacks. It verifies the JWT before reading the
// body, and the body against the token's sub and eventId after; it answers
// 200 once the event is stored (or was stored before), and 503 when it
// cannot be stored, so that Alvaria retries and nothing is lost.
func (h *handler) webhook(c *gin.Context) {
	connection := c.Param("connection") // empty on the old path
	if len(connection) > maxSlugBytes {
		// No slug is this long; cut it so a stranger cannot fill the log.
		connection = connection[:maxSlugBytes]
	}
	count := h.countCallback(connection)
	claims, err := h.gate.VerifyCallback(connection, c.GetHeader("Authorization"))
	if err != nil {
		count.reject(err)
		h.Log.Warn("callback rejected", "reason", err, "connection", connection, "remote", c.ClientIP())
		c.Status(rejectedStatus(err))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxCallbackBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		count.reject(errors.New("body over 1 MiB"))
		h.Log.Warn("callback rejected", "reason", "body over 1 MiB", "remote", c.ClientIP())
		c.Status(http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		count.reject(err)
		h.Log.Warn("callback body unreadable", "err", err)
		c.Status(http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.CallbackTimeout)
	defer cancel()
	if err := h.gate.AdmitCallback(ctx, connection, claims, body); err != nil {
		var rejected *connections.Rejection
		if !errors.As(err, &rejected) {
			count.done(callbackFailed, err)
			h.Log.Error("callback not checked; Alvaria will retry", "err", err)
			c.Status(http.StatusServiceUnavailable)
			return
		}
		count.reject(err)
		h.Log.Warn("callback rejected", "reason", err, "connection", connection, "remote", c.ClientIP())
		c.Status(http.StatusUnauthorized)
		return
	}
	stored := time.Now()
	count.event, err = h.Callbacks.ReceiveCallback(ctx, conversation.CallbackInput{
		Body:         body,
		TokenEventID: claims.EventID,
		Verification: verification(claims),
	})
	count.store = time.Since(stored)
	switch {
	case errors.Is(err, conversation.ErrTokenForOtherEvent):
		count.reject(err)
		h.Log.Warn("callback rejected", "reason", err, "token_event", claims.EventID)
		c.Status(http.StatusUnauthorized)
	case err != nil:
		count.done(callbackFailed, err)
		h.Log.Error("callback not stored; Alvaria will retry", "err", err, "timed_out", errors.Is(err, context.DeadlineExceeded))
		c.Status(http.StatusServiceUnavailable)
	default:
		count.done(callbackAccepted, nil)
		c.Status(http.StatusOK)
	}
}

// verification describes a verified token for the event timeline.
func verification(claims *alvaria.CallbackClaims) string {
	s := "RS256 signature valid"
	if claims.Issuer != "" {
		s += fmt.Sprintf(", issuer %q", claims.Issuer)
	}
	if claims.ExpiresAt != nil {
		s += ", expires " + claims.ExpiresAt.UTC().Format("15:04:05 UTC")
	}
	return s
}
