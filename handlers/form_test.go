package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
)

var formActor = accounts.Actor{Username: "ada", Addr: "10.0.0.1"}

func postForm(values url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestStartForm(t *testing.T) {
	f := newStartForm(postForm(url.Values{"work_type_id": {" 32 "}, "contact_name": {"Ada"}, "integration": {"SMS"}}))
	in, err := f.Validate(formActor)
	want := conversation.StartInput{WorkTypeID: " 32 ", ContactName: "Ada", Integration: "SMS", By: formActor}
	if err != nil || in != want {
		t.Errorf("Validate = %+v, %v; want %+v (the service trims)", in, err, want)
	}
}

func TestMessageForm(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values
		want   conversation.MessageInput
	}{
		{"text", url.Values{"text": {"hello"}}, conversation.MessageInput{Text: "hello", By: formActor}},
		{"attachment", url.Values{"attachment_type": {"Image"}, "attachment_url": {"https://x.test/a.png"}},
			conversation.MessageInput{AttachmentType: "Image", AttachmentURL: "https://x.test/a.png", By: formActor}},
		{"empty", url.Values{}, conversation.MessageInput{By: formActor}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := newMessageForm(postForm(tt.values)).Validate(formActor)
			if err != nil || in != tt.want {
				t.Errorf("Validate = %+v, %v; want %+v", in, err, tt.want)
			}
		})
	}
}

func TestReviewForm(t *testing.T) {
	in, err := newReviewForm(postForm(url.Values{"verdict": {"pass"}, "notes": {"fine"}})).Validate(formActor)
	want := conversation.ReviewInput{Verdict: "pass", Notes: "fine", By: formActor}
	if err != nil || in != want {
		t.Errorf("Validate = %+v, %v; want %+v", in, err, want)
	}
}

func TestListForm(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/?after=c1&q=ada&state=Active&verdict=none&from=2026-11-01&to=2026-11-24", nil)
	q, err := newListForm(r).Validate()
	want := conversation.ListQuery{Cursor: "c1", Search: "ada", State: "Active", Verdict: "none", From: "2026-11-01", To: "2026-11-24"}
	if err != nil || q != want {
		t.Errorf("Validate = %+v, %v; want %+v", q, err, want)
	}
}

func TestLoginForm(t *testing.T) {
	tests := []struct {
		name     string
		values   url.Values
		username string
		next     string
	}{
		{"trims the username", url.Values{"username": {"  ada "}, "password": {"pw"}, "next": {"/sessions/1"}}, "ada", "/sessions/1"},
		{"next off the site goes home", url.Values{"username": {"ada"}, "next": {"//evil.example"}}, "ada", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLoginForm(postForm(tt.values))
			if f.Username != tt.username || f.Next != tt.next {
				t.Errorf("form = %+v, want username %q next %q", f, tt.username, tt.next)
			}
			if v := f.view("Nope."); v.Username != tt.username || v.Error != "Nope." || v.CSRFToken != "" {
				t.Errorf("view = %+v", v)
			}
		})
	}
}

func TestOwnPasswordForm(t *testing.T) {
	f := newOwnPasswordForm(postForm(url.Values{"current": {"old one"}, "password": {"new one"}}))
	if f.Current != "old one" || f.Password != "new one" {
		t.Errorf("form = %+v", f)
	}
}

func TestNewUserFormKeepsInputButNotThePassword(t *testing.T) {
	f := newNewUserForm(postForm(url.Values{"username": {"bob"}, "password": {"secret secret"}, "role": {"qa"}}))
	if f.Username != "bob" || f.Password != "secret secret" || f.Role != "qa" {
		t.Fatalf("form = %+v", f)
	}
	v := f.view(map[string]string{"username": "Is taken"})
	if v.Username != "bob" || v.Role != "qa" || v.Fields["username"] != "Is taken" {
		t.Errorf("view = %+v", v)
	}
}

func TestUserChangeForm(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		want    int64
		wantErr error
	}{
		{"number", "42", 42, nil},
		{"not a number", "abc", 0, errNoUser},
		{"empty", "", 0, errNoUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newUserChangeForm(postForm(url.Values{"role": {"qa"}, "password": {"pw"}}), tt.id)
			id, err := f.Validate()
			if id != tt.want || !errors.Is(err, tt.wantErr) || f.Role != "qa" || f.Password != "pw" {
				t.Errorf("Validate = %d, %v (form %+v); want %d, %v", id, err, f, tt.want, tt.wantErr)
			}
		})
	}
}

func TestAuditForm(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  accounts.AuditQuery
	}{
		{"all filters", "?actor=ada&action=sign-in&from=2026-11-01&to=2026-11-02&before=7",
			accounts.AuditQuery{Actor: "ada", Action: "sign-in", From: "2026-11-01", To: "2026-11-02", BeforeID: 7}},
		{"a cut-short cursor starts from the newest", "?before=x", accounts.AuditQuery{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := newAuditForm(httptest.NewRequest(http.MethodGet, "/"+tt.query, nil)).Validate()
			if err != nil || q != tt.want {
				t.Errorf("Validate = %+v, %v; want %+v", q, err, tt.want)
			}
		})
	}
}
