package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// Comment is QA's remark on one message of a transcript.
type Comment struct {
	ID        int64
	MessageID int64
	Author    string
	Text      string
	At        time.Time
}

const (
	maxCommentChars = 2000
	maxTagChars     = 40
)

// CommentOnMessage adds a reviewer's comment to one message of the session.
func (svc *Service) CommentOnMessage(ctx context.Context, sessionID string, messageID int64, text string, by accounts.Actor) error {
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return input.Invalid("comment", "write a comment first")
	case n > maxCommentChars:
		return input.Invalid("comment", fmt.Sprintf("the comment is %d characters long; at most %d", n, maxCommentChars))
	}
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return err
	}
	c := store.MessageComment{SessionID: s.ID, MessageID: messageID, Author: by.Username, Text: text, CreatedAt: svc.now()}
	err = svc.store.AddComment(ctx, &c)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("comment: %w", ErrNotFound)
	}
	if err != nil {
		return err
	}
	svc.changed(ctx, s.ID)
	svc.record(ctx, by, accounts.ActionComment, s.ID, fmt.Sprintf("message %d", messageID))
	return nil
}

// TagSession labels the session; tags are lowercase words people choose.
func (svc *Service) TagSession(ctx context.Context, sessionID, tag string, by accounts.Actor) error {
	return svc.retag(ctx, sessionID, tag, by, true)
}

// UntagSession takes a label off the session.
func (svc *Service) UntagSession(ctx context.Context, sessionID, tag string, by accounts.Actor) error {
	return svc.retag(ctx, sessionID, tag, by, false)
}

func (svc *Service) retag(ctx context.Context, sessionID, tag string, by accounts.Actor, add bool) error {
	tag, err := normalizeTag(tag)
	if err != nil {
		return err
	}
	s, err := svc.session(ctx, sessionID)
	if err != nil {
		return err
	}
	detail := "-" + tag
	if add {
		detail = "+" + tag
		err = svc.store.AddTag(ctx, &store.SessionTag{SessionID: s.ID, Tag: tag, AddedBy: by.Username, AddedAt: svc.now()})
	} else {
		err = svc.store.RemoveTag(ctx, s.ID, tag)
	}
	if err != nil {
		return err
	}
	svc.changed(ctx, s.ID)
	svc.record(ctx, by, accounts.ActionTag, s.ID, detail)
	return nil
}

// normalizeTag makes "  Refund  Flow " the tag "refund flow", and refuses
// what is not a short label of letters, digits, spaces and - _ . : /.
func normalizeTag(tag string) (string, error) {
	tag = strings.ToLower(strings.Join(strings.Fields(tag), " "))
	switch n := utf8.RuneCountInString(tag); {
	case n == 0:
		return "", input.Invalid("tag", "write a tag first")
	case n > maxTagChars:
		return "", input.Invalid("tag", fmt.Sprintf("the tag is %d characters long; at most %d", n, maxTagChars))
	}
	for _, r := range tag {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_.:/", r) {
			return "", input.Invalid("tag", fmt.Sprintf("a tag is letters, digits, spaces and - _ . : /, not %q", r))
		}
	}
	return tag, nil
}

// annotations reads the session's comments, by message, and its tags.
func (svc *Service) annotations(ctx context.Context, sessionID string) (map[int64][]Comment, []string, error) {
	rows, err := svc.store.ListComments(ctx, sessionID)
	if err != nil {
		return nil, nil, err
	}
	comments := make(map[int64][]Comment)
	for _, c := range rows {
		comments[c.MessageID] = append(comments[c.MessageID], Comment{ID: c.ID, MessageID: c.MessageID, Author: c.Author, Text: c.Text, At: c.CreatedAt})
	}
	tags, err := svc.store.ListTags(ctx, sessionID)
	return comments, tags, err
}
