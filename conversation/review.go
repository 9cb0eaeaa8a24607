package conversation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// QA verdicts, as the store keeps them.
const (
	VerdictPass        = "pass"
	VerdictFail        = "fail"
	VerdictNeedsReview = "needs_review"
)

// Verdicts QA can give, as the review form offers them.
var Verdicts = []string{VerdictPass, VerdictFail, VerdictNeedsReview}

// VerdictLabel is how a verdict reads on screen.
func VerdictLabel(v string) string {
	switch v {
	case VerdictPass:
		return "Pass"
	case VerdictFail:
		return "Fail"
	case VerdictNeedsReview:
		return "Needs review"
	default:
		return "Not reviewed"
	}
}

// ReviewInput is QA's verdict and notes on a session.
type ReviewInput struct {
	Verdict string
	Notes   string
	By      accounts.Actor
}

const maxNotes = 10000

// ReviewSession records a verdict and notes, keeping every earlier change.
func (svc *Service) ReviewSession(ctx context.Context, sessionID string, in ReviewInput) error {
	in.Notes = strings.TrimSpace(in.Notes)
	var problems input.Error
	if !slices.Contains(Verdicts, in.Verdict) {
		problems.Add("verdict", "choose Pass, Fail or Needs review")
	}
	if len(in.Notes) > maxNotes {
		problems.Add("notes", fmt.Sprintf("notes are limited to %d characters", maxNotes))
	}
	if err := problems.Err(); err != nil {
		return err
	}
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return err
	}
	c := store.ReviewChange{SessionID: s.ID, Verdict: in.Verdict, Notes: in.Notes, Author: in.By.Username, At: svc.now()}
	if err := svc.store.SetReview(ctx, &c); err != nil {
		return fmt.Errorf("review session %s: %w", s.ID, err)
	}
	svc.changed(ctx, s.ID)
	svc.record(ctx, in.By, accounts.ActionReview, s.ID, VerdictLabel(in.Verdict))
	return nil
}

// ReviewHistory returns every change of the session's review, oldest first.
func (svc *Service) ReviewHistory(ctx context.Context, sessionID string) ([]ReviewChange, error) {
	rs, err := svc.store.ListReviewChanges(ctx, sessionID)
	return presentReviews(rs), err
}
