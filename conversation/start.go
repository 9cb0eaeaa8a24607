package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// StartInput is what a person fills in to start a session.
type StartInput struct {
	WorkTypeID  string
	ContactName string
	Integration string
	// Connection is the slug of the connection to start on; empty is the
	// default one.
	Connection string
	By         accounts.Actor
	// RunID marks a session a conversation test drives; nil for a person's.
	RunID *int64
}

// StartSession opens a Server Messaging session and stores it as Pending.
// Callbacks that Alvaria sent before this call returned are applied now, in
// the order they arrived.
func (svc *Service) StartSession(ctx context.Context, in StartInput) (Session, error) {
	route, err := svc.route(ctx, strings.TrimSpace(in.Connection))
	var disabled *ConnectionDisabledError
	switch {
	case errors.Is(err, ErrUnknownConnection):
		return Session{}, input.Invalid("connection", fmt.Sprintf("there is no connection %q; choose one of the list", in.Connection))
	case errors.As(err, &disabled):
		return Session{}, input.Invalid("connection", disabled.Error())
	case err != nil:
		return Session{}, err
	}
	if strings.TrimSpace(in.WorkTypeID) == "" {
		in.WorkTypeID = route.DefaultWorkType
	}
	req := alvaria.NewSession{
		WorkTypeID:  alvaria.WorkTypeID(strings.TrimSpace(in.WorkTypeID)),
		ContactName: strings.TrimSpace(in.ContactName),
		Integration: strings.TrimSpace(in.Integration),
	}
	if err := req.Validate(); err != nil {
		return Session{}, startInputError(err)
	}
	if err := checkText(
		textField{name: "workTypeId", value: string(req.WorkTypeID), max: maxWorkTypeIDChars},
		textField{name: "contactName", value: req.ContactName, max: maxContactNameChars},
		textField{name: "integration", value: req.Integration, max: maxIntegrationChars},
	); err != nil {
		return Session{}, err
	}
	alvariaID, err := route.Client.CreateSession(ctx, req)
	if err != nil {
		return Session{}, alvariaError("start the session", err)
	}
	now := svc.now()
	s := store.Session{
		AlvariaSessionID: alvariaID,
		Connection:       route.Name,
		ConnectionSlug:   route.Slug,
		WorkTypeID:       string(req.WorkTypeID),
		ContactName:      req.ContactName,
		Integration:      req.Integration,
		State:            store.SessionPending,
		StartedBy:        in.By.Username,
		RunID:            in.RunID,
		CreatedAt:        now,
		LastActivityAt:   now,
	}
	err = svc.store.Transaction(ctx, func(tx *store.Store) error {
		if err := tx.LockAlvariaSession(ctx, alvariaID); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, &s); err != nil {
			return err
		}
		return svc.applyWaiting(ctx, tx, s.ID, alvariaID)
	})
	if err != nil {
		// Alvaria has a session nobody can see or end from the console; end
		// it there, and leave its id in the log should that fail too.
		svc.log.Error("session started at Alvaria but not stored", "alvaria_session", alvariaID, "err", err)
		if derr := route.Client.DeleteSession(context.WithoutCancel(ctx), alvariaID); derr != nil {
			svc.log.Error("session left open at Alvaria; end it by hand", "alvaria_session", alvariaID, "err", derr)
		} else {
			svc.log.Warn("ended the session at Alvaria that could not be stored", "alvaria_session", alvariaID)
		}
		return Session{}, fmt.Errorf("store new session %s: %w", alvariaID, err)
	}
	svc.changed(ctx, s.ID)
	svc.record(ctx, in.By, accounts.ActionSessionStart, s.ID, fmt.Sprintf("%s, work type %s, Alvaria session %s", s.ContactName, s.WorkTypeID, alvariaID))
	stored, err := svc.store.GetSession(ctx, s.ID)
	if err != nil {
		return Session{}, fmt.Errorf("reload session %s: %w", s.ID, err)
	}
	return svc.present(stored), nil
}

// startInputError names the field of the client's validation error, which
// already uses the service's names (workTypeId, contactName, integration).
func startInputError(err error) error {
	var v *alvaria.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	return input.Invalid(v.Field, fieldLabel(v.Field)+" "+v.Problem)
}
