package conversation

import (
	"context"
	"fmt"

	"github.com/parley-dev/parley/accounts"
)

// MaxExportRows bounds one export of the session list.
const MaxExportRows = 10000

// ExportTranscript returns a session's whole transcript and timeline for a
// download, and records who took it.
func (svc *Service) ExportTranscript(ctx context.Context, sessionID, format string, by accounts.Actor) (Detail, error) {
	d, err := svc.SessionDetail(ctx, sessionID)
	if err != nil {
		return Detail{}, err
	}
	svc.record(ctx, by, accounts.ActionExport, d.Session.ID, "transcript as "+format)
	return d, nil
}

// ExportSessions returns every session matching q (up to MaxExportRows),
// and records who took them.
func (svc *Service) ExportSessions(ctx context.Context, q ListQuery, by accounts.Actor) ([]Session, error) {
	q.Cursor, q.Limit = "", 200
	var out []Session
	for len(out) < MaxExportRows {
		page, err := svc.ListSessions(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Sessions...)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if len(out) > MaxExportRows {
		out = out[:MaxExportRows]
	}
	svc.record(ctx, by, accounts.ActionExport, "sessions", fmt.Sprintf("%d sessions as csv", len(out)))
	return out, nil
}
