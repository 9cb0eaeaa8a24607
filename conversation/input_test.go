package conversation_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// TestInputAlvariaCannotTakeIsRefusedFirst: a NUL or invalid UTF-8 in a
// contact name reached Alvaria, which opened the session, and then Parley
// failed to store it (500, an orphaned session). Such input is now refused,
// naming the field, before Alvaria is called.
func TestInputAlvariaCannotTakeIsRefusedFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _ := newService(t, st, simulator.Config{AgentDelay: time.Hour})
		ok := conversation.StartInput{WorkTypeID: "32", ContactName: "Ada", Integration: "SMS", By: ada}
		starts := []struct {
			field  string
			modify func(*conversation.StartInput)
		}{
			{"contactName", func(in *conversation.StartInput) { in.ContactName = "Ada\x00" }},
			{"contactName", func(in *conversation.StartInput) { in.ContactName = "Ad\xffa" }},
			{"contactName", func(in *conversation.StartInput) { in.ContactName = "Ada\x1b[31m" }},
			{"contactName", func(in *conversation.StartInput) { in.ContactName = strings.Repeat("a", 257) }},
			{"integration", func(in *conversation.StartInput) { in.Integration = "S\x00MS" }},
			{"integration", func(in *conversation.StartInput) { in.Integration = strings.Repeat("i", 65) }},
			{"workTypeId", func(in *conversation.StartInput) { in.WorkTypeID = "3\xc32" }},
			{"workTypeId", func(in *conversation.StartInput) { in.WorkTypeID = strings.Repeat("9", 65) }},
		}
		for _, tc := range starts {
			in := ok
			tc.modify(&in)
			_, err := svc.StartSession(t.Context(), in)
			var inputErr *input.Error
			if !errors.As(err, &inputErr) || inputErr.Fields[tc.field] == "" {
				t.Errorf("start %+v: err = %v, want an InputError on %s", in, err, tc.field)
			}
		}
		page, err := st.ListSessions(t.Context(), store.SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Sessions) != 0 {
			t.Fatalf("%d sessions started from refused input", len(page.Sessions))
		}

		// Limits are characters, not bytes: a long name in a script of
		// multi-byte letters is still taken.
		wide := ok
		wide.ContactName = strings.Repeat("é", 256)
		s, err := svc.StartSession(t.Context(), wide)
		if err != nil {
			t.Fatalf("256-character name: %v", err)
		}
		sends := []struct {
			field string
			in    conversation.MessageInput
		}{
			{"text", conversation.MessageInput{Text: "hi\x00"}},
			{"text", conversation.MessageInput{Text: "hi \xff"}},
			{"text", conversation.MessageInput{Text: "hi\x07"}},
			{"text", conversation.MessageInput{Text: strings.Repeat("t", 4097)}},
			{"attachmentUrl", conversation.MessageInput{AttachmentType: "Image", AttachmentURL: "https://x.test/\xff.png"}},
			{"attachmentUrl", conversation.MessageInput{AttachmentType: "Image", AttachmentURL: "https://x.test/" + strings.Repeat("a", 2048)}},
		}
		for _, tc := range sends {
			_, err := svc.SendMessage(t.Context(), s.ID, tc.in)
			var inputErr *input.Error
			if !errors.As(err, &inputErr) || inputErr.Fields[tc.field] == "" {
				t.Errorf("send %+q: err = %v, want an InputError on %s", tc.in, err, tc.field)
			}
		}
		if ms, _ := st.ListMessages(t.Context(), s.ID); len(ms) != 0 {
			t.Fatalf("refused messages were stored: %+v", ms)
		}
		// Lines and tabs are text, not control characters to refuse.
		if _, err := svc.SendMessage(t.Context(), s.ID, conversation.MessageInput{Text: "one\r\ntwo\tthree"}); err != nil {
			t.Fatalf("multi-line text: %v", err)
		}
	})
}

// A search is bounded: the address bar allows 64 KiB, and each character
// costs the search indexes work.
func TestALongSearchIsRefusedNamingTheField(t *testing.T) {
	svc, _ := newService(t, storetest.SQLite(t), simulator.Config{AgentDelay: time.Hour})
	if _, err := svc.ListSessions(t.Context(), conversation.ListQuery{Search: strings.Repeat("é", conversation.MaxSearchChars)}); err != nil {
		t.Fatalf("a search of %d characters: %v", conversation.MaxSearchChars, err)
	}
	_, err := svc.ListSessions(t.Context(), conversation.ListQuery{Search: strings.Repeat("x", conversation.MaxSearchChars+1)})
	var inputErr *input.Error
	if !errors.As(err, &inputErr) || !strings.Contains(err.Error(), "earch") {
		t.Fatalf("a longer search: %v, want an input error naming the search", err)
	}
}
