package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// Audited actions.
const (
	ActionSignIn       = "sign-in"
	ActionSignInFailed = "sign-in-failed"
	ActionSignOut      = "sign-out"
	ActionSessionStart = "session-start"
	ActionMessageSend  = "message-send"
	ActionSessionEnd   = "session-end"
	ActionReview       = "review"
	ActionExport       = "export"
	ActionUserCreate   = "user-create"
	ActionUserRole     = "user-role"
	ActionUserDisable  = "user-disable"
	ActionUserEnable   = "user-enable"
	ActionUserPassword = "user-password"
	// ActionPasswordChangeFailed is a wrong current password when someone
	// changes their own: a guess like a failed sign-in.
	ActionPasswordChangeFailed = "password-change-failed"
	// Conversation tests: a test saved or deleted, runs started, and the
	// personal API tokens that drive them.
	ActionTestSave    = "test-save"
	ActionTestDelete  = "test-delete"
	ActionRunStart    = "run-start"
	ActionTokenCreate = "token-create"
	ActionTokenRevoke = "token-revoke"
	ActionTokenUse    = "token-use"
	// The simulator's agent desk and delivery log: whoever plays the agent
	// or holds back callbacks changes what the conversation shows.
	ActionDeskTakeOver      = "desk-take-over"
	ActionDeskHandBack      = "desk-hand-back"
	ActionDeskReply         = "desk-reply"
	ActionDeskJoin          = "desk-join"
	ActionDeskTransfer      = "desk-transfer"
	ActionDeskFail          = "desk-fail"
	ActionDeskEnd           = "desk-end"
	ActionDeliveryPause     = "delivery-pause"
	ActionDeliveryResume    = "delivery-resume"
	ActionDeliveryRedeliver = "delivery-redeliver"
	// QA's comments on messages and tags on sessions.
	ActionComment = "comment"
	ActionTag     = "tag"
	// Connection changes name the fields changed, never a secret's value.
	ActionConnectionCreate  = "connection-create"
	ActionConnectionUpdate  = "connection-update"
	ActionConnectionDisable = "connection-disable"
	ActionConnectionEnable  = "connection-enable"
	ActionConnectionTest    = "connection-test"
	// ActionLoadCancel is a load run stopped before its end.
	ActionLoadCancel = "load-cancel"
	// ActionTestSchedule is a test's schedule or alert webhook set or removed.
	ActionTestSchedule = "test-schedule"
)

// Actions lists the audited actions in the order a filter offers them.
var Actions = []string{
	ActionSignIn, ActionSignInFailed, ActionSignOut, ActionSessionStart, ActionMessageSend, ActionSessionEnd,
	ActionReview, ActionExport, ActionUserCreate, ActionUserRole, ActionUserDisable, ActionUserEnable, ActionUserPassword,
	ActionPasswordChangeFailed,
	ActionTokenCreate, ActionTokenRevoke, ActionTokenUse, ActionTestSave, ActionRunStart, ActionTestDelete,
	ActionDeskTakeOver, ActionDeskReply, ActionDeskJoin, ActionDeskTransfer, ActionDeskFail, ActionDeskEnd, ActionDeskHandBack,
	ActionDeliveryPause, ActionDeliveryResume, ActionDeliveryRedeliver, ActionComment, ActionTag,
	ActionConnectionCreate, ActionConnectionUpdate, ActionConnectionDisable, ActionConnectionEnable, ActionConnectionTest,
	ActionLoadCancel, ActionTestSchedule,
}

// AuditQuery selects audit entries. Dates are whole UTC days, To inclusive.
type AuditQuery struct {
	Actor    string
	Action   string
	From     string
	To       string
	BeforeID int64
	// Session is a Parley or Alvaria session id: only entries about it.
	Session string
	All     bool // every match, for exports
}

// AuditPage is a page of the trail, newest first.
type AuditPage struct {
	Entries  []AuditEntry
	BeforeID int64 // cursor of the next page; 0 on the last
	// Sessions are the sessions the entries' targets name, by target, so
	// the page can show a contact and link to it.
	Sessions map[string]store.SessionRef
}

const auditPageSize = 100

// Audit returns a page of the audit trail.
func (svc *Service) Audit(ctx context.Context, q AuditQuery) (AuditPage, error) {
	f := store.AuditFilter{Actor: q.Actor, Action: q.Action, BeforeID: q.BeforeID, Session: strings.TrimSpace(q.Session), Limit: auditPageSize + 1}
	if q.All {
		f.Limit = -1
	}
	var err error
	if f.From, err = input.Day("from", q.From); err != nil {
		return AuditPage{}, err
	}
	if f.To, err = input.Day("to", q.To); err != nil {
		return AuditPage{}, err
	}
	if !f.To.IsZero() {
		f.To = f.To.Add(24 * time.Hour)
	}
	if q.Action != "" && !slices.Contains(Actions, q.Action) {
		return AuditPage{}, input.Invalid("action", fmt.Sprintf("there is no audited action %q", q.Action))
	}
	rows, err := svc.store.ListAudit(ctx, f)
	if err != nil {
		return AuditPage{}, err
	}
	page := AuditPage{Entries: make([]AuditEntry, len(rows))}
	for i, r := range rows {
		page.Entries[i] = AuditEntry(r)
	}
	if !q.All && len(rows) > auditPageSize {
		page.Entries = page.Entries[:auditPageSize]
		page.BeforeID = page.Entries[auditPageSize-1].ID
	}
	var targets []string
	for _, e := range page.Entries {
		if e.Target != "" && !slices.Contains(targets, e.Target) {
			targets = append(targets, e.Target)
		}
	}
	if !q.All {
		if page.Sessions, err = svc.store.SessionsNamed(ctx, targets); err != nil {
			return AuditPage{}, err
		}
	}
	return page, nil
}

// LastAudit returns the newest entry of an action, if there is one: who
// last did it, and when.
func (svc *Service) LastAudit(ctx context.Context, action string) (AuditEntry, bool, error) {
	rows, err := svc.store.ListAudit(ctx, store.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(rows) == 0 {
		return AuditEntry{}, false, err
	}
	return AuditEntry(rows[0]), true, nil
}

// ExportAudit returns every entry matching q for a download, and records
// the export itself.
func (svc *Service) ExportAudit(ctx context.Context, q AuditQuery, by Actor) (AuditPage, error) {
	q.All = true
	page, err := svc.Audit(ctx, q)
	if err != nil {
		return page, err
	}
	return page, svc.Record(ctx, by, ActionExport, "audit", fmt.Sprintf("%d entries as csv", len(page.Entries)))
}
