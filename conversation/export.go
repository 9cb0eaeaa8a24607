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

// MaxZipSessions bounds one ZIP of transcripts: each is read whole.
const MaxZipSessions = 500

// ExportTranscripts calls fn with the whole transcript of each session
// matching q, newest first, up to MaxZipSessions, and records who took
// them. It stops at fn's first error.
func (svc *Service) ExportTranscripts(ctx context.Context, q ListQuery, by accounts.Actor, fn func(Detail) error) error {
	q.Cursor, q.Limit = "", 200
	n := 0
	defer func() {
		svc.record(ctx, by, accounts.ActionExport, "sessions", fmt.Sprintf("%d transcripts as zip", n))
	}()
	for n < MaxZipSessions {
		page, err := svc.ListSessions(ctx, q)
		if err != nil {
			return err
		}
		for _, s := range page.Sessions {
			if n == MaxZipSessions {
				return nil
			}
			d, err := svc.SessionDetail(ctx, s.ID)
			if err != nil {
				return fmt.Errorf("export transcript of %s: %w", s.ID, err)
			}
			if err := fn(d); err != nil {
				return err
			}
			n++
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
	return nil
}
