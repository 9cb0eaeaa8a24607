package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/store"
	"github.com/parley-dev/parley/store/storetest"
)

// QA comments on a message and tags a session: both show on the session's
// page and in its print view, the tag finds the session in the list, and
// what is not a comment or a tag is refused by name.
func TestCommentsAndTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		admin := a.signIn(t, "admin")
		sid := a.startSession(t, admin)
		other := a.startSession(t, admin)
		waitUntil(t, "the greeting", func() bool {
			ms, _ := a.store.ListMessages(t.Context(), sid)
			return len(ms) >= 2
		})
		ms, _ := a.store.ListMessages(t.Context(), sid)
		greeting := ms[len(ms)-1]

		commentPath := fmt.Sprintf("/sessions/%s/messages/%d/comments", sid, greeting.ID)
		if code, _ := admin.Post(t, commentPath, url.Values{"comment": {"Greets by <name>: good."}}); code != http.StatusSeeOther {
			t.Fatalf("comment = %d", code)
		}
		if code, _ := admin.Post(t, "/sessions/"+sid+"/tags", url.Values{"tag": {"  Refund   Flow "}}); code != http.StatusSeeOther {
			t.Fatalf("tag = %d", code)
		}
		_, page := admin.Get(t, "/sessions/"+sid)
		for _, want := range []string{"Greets by &lt;name&gt;: good.", `href="/?tag=refund+flow"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the session page lacks %s", want)
			}
		}
		if _, page := admin.Get(t, "/sessions/"+sid+"/print"); !strings.Contains(page, "Greets by &lt;name&gt;: good.") || !strings.Contains(page, "refund flow") {
			t.Error("the print view lacks the comment or the tag")
		}
		_, list := admin.Get(t, "/?tag=refund+flow")
		if !strings.Contains(list, `href="/sessions/`+sid+`"`) || strings.Contains(list, `href="/sessions/`+other+`"`) {
			t.Error("the tag filter does not find exactly the tagged session")
		}

		for _, bad := range []struct {
			path string
			form url.Values
			want string
		}{
			{commentPath, url.Values{"comment": {"   "}}, "Write a comment first"},
			{commentPath, url.Values{"comment": {strings.Repeat("x", 2001)}}, "The comment is 2001 characters long"},
			{fmt.Sprintf("/sessions/%s/messages/%d/comments", other, greeting.ID), url.Values{"comment": {"wrong session"}}, ""},
			{"/sessions/" + sid + "/tags", url.Values{"tag": {"<script>"}}, "A tag is letters"},
		} {
			code, body := admin.Post(t, bad.path, bad.form)
			if code < 400 || !strings.Contains(body, bad.want) {
				t.Errorf("%s %v = %d, want a refusal saying %q", bad.path, bad.form, code, bad.want)
			}
		}
		if code, _ := admin.Post(t, "/sessions/"+sid+"/tags/delete", url.Values{"tag": {"refund flow"}}); code != http.StatusSeeOther {
			t.Fatalf("untag = %d", code)
		}
		if _, list := admin.Get(t, "/?tag=refund+flow"); strings.Contains(list, `href="/sessions/`+sid+`"`) {
			t.Error("an untagged session is still found by its old tag")
		}
	})
}
