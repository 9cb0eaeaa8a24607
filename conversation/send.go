package conversation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// MessageInput is what a person writes as the customer.
type MessageInput struct {
	Text           string
	AttachmentType string
	AttachmentURL  string
	By             accounts.Actor
}

// SendMessage writes as the customer. The message is stored and shown as
// sending before Alvaria is called, then marked sent with Alvaria's messageId,
// failed with the reason, or unknown when the request may have reached
// Alvaria, so the transcript never loses what was typed. A message this
// leaves sending (a crash, a failed write) is settled by ReconcileSending.
func (svc *Service) SendMessage(ctx context.Context, sessionID string, in MessageInput) (Message, error) {
	msg := alvaria.Message{Text: strings.TrimSpace(in.Text)}
	if t := strings.TrimSpace(in.AttachmentType); t != "" || strings.TrimSpace(in.AttachmentURL) != "" {
		msg.Attachment = &alvaria.Attachment{Type: t, URL: strings.TrimSpace(in.AttachmentURL)}
	}
	if err := checkText(textField{name: "text", value: msg.Text, max: maxTextChars, multiline: true}); err != nil {
		return Message{}, err
	}
	if msg.Attachment != nil {
		if err := checkText(textField{name: "attachmentUrl", value: msg.Attachment.URL, max: maxAttachmentURLChars}); err != nil {
			return Message{}, err
		}
	}
	if err := msg.Validate(); err != nil {
		return Message{}, messageInputError(err)
	}
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return Message{}, err
	}
	if !s.Live() {
		return Message{}, ErrSessionClosed
	}
	route, err := svc.route(ctx, s.ConnectionSlug)
	if err != nil {
		return Message{}, fmt.Errorf("connection of session %s: %w", s.ID, err)
	}

	m := store.Message{
		SessionID: s.ID,
		Direction: store.DirectionCustomer,
		SenderID:  in.By.Username,
		Text:      msg.Text,
		Status:    store.MessageSending,
		CreatedAt: svc.now(),
	}
	if msg.Attachment != nil {
		m.AttachmentType, m.AttachmentURL = msg.Attachment.Type, msg.Attachment.URL
	}
	if _, err := svc.store.AddMessage(ctx, &m); err != nil {
		return Message{}, fmt.Errorf("store message for session %s: %w", s.ID, err)
	}
	svc.changed(ctx, s.ID)

	messageID, callErr := route.Client.SendMessage(ctx, s.AlvariaSessionID, msg)
	// The outcome is recorded even if the person's request was cancelled
	// meanwhile: the message did go out (or not) either way.
	recordCtx := context.WithoutCancel(ctx)
	if callErr != nil {
		aerr := alvariaError("send the message", callErr)
		status := store.MessageFailed
		if errors.Is(callErr, alvaria.ErrOutcomeUnknown) {
			// It may have reached Alvaria: "failed" would invite a resend
			// that could show the customer's message twice.
			status = store.MessageUnknown
		}
		if err := svc.store.UpdateMessageStatus(recordCtx, m.ID, status, aerr.Message, ""); err != nil {
			return Message(m), fmt.Errorf("mark message %d %s: %w", m.ID, status, err)
		}
		svc.changed(recordCtx, s.ID)
		if failed, err := svc.store.GetMessage(recordCtx, m.ID); err == nil {
			m = failed
		}
		var apiErr *alvaria.APIError
		if errors.As(callErr, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			// Alvaria (or an embedded simulator after a restart) has no such
			// session; every later send would fail the same way.
			aerr.Message = noteSessionForgotten
			if err := svc.markEnded(recordCtx, s.ID, noteSessionForgotten); err != nil {
				return Message(m), fmt.Errorf("send message to forgotten session %s: %w", s.ID, err)
			}
		}
		return Message(m), aerr
	}
	err = svc.store.Transaction(recordCtx, func(tx *store.Store) error {
		if err := tx.LockAlvariaSession(recordCtx, s.AlvariaSessionID); err != nil {
			return err
		}
		if err := tx.UpdateMessageStatus(recordCtx, m.ID, store.MessageSent, "", messageID); err != nil {
			return err
		}
		// A MESSAGE_STATUS for this messageId may have beaten the 202 here.
		return svc.applyWaiting(recordCtx, tx, s.ID, s.AlvariaSessionID)
	})
	if err != nil {
		return Message(m), fmt.Errorf("mark message %d sent: %w", m.ID, err)
	}
	svc.changed(recordCtx, s.ID)
	svc.record(recordCtx, in.By, accounts.ActionMessageSend, s.ID, "message "+messageID)
	sent, err := svc.store.GetMessage(recordCtx, m.ID)
	return Message(sent), err
}

func messageInputError(err error) error {
	var v *alvaria.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	field := "text"
	switch {
	case strings.Contains(v.Field, "type"):
		field = "attachmentType"
	case strings.Contains(v.Field, "url"):
		field = "attachmentUrl"
	}
	return input.Invalid(field, fieldLabel(field)+" "+v.Problem)
}
