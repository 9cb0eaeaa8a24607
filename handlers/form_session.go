package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/views"
)

// The session forms read what a person typed; the conversation service
// checks it and names problems by its own fields, which each form maps back
// to its HTML names.

// startForm is the Start session form.
type startForm views.StartForm

// startFields maps the service's field names to the form's.
var startFields = map[string]string{"connection": "connection", "workTypeId": "work_type_id", "contactName": "contact_name", "integration": "integration"}

func newStartForm(r *http.Request) startForm {
	return startForm{Connection: r.PostFormValue("connection"), WorkTypeID: r.PostFormValue("work_type_id"), ContactName: r.PostFormValue("contact_name"), Integration: r.PostFormValue("integration")}
}

// Validate returns the service's input; the service checks the values.
func (f startForm) Validate(by accounts.Actor) (conversation.StartInput, error) {
	return conversation.StartInput{Connection: f.Connection, WorkTypeID: f.WorkTypeID, ContactName: f.ContactName, Integration: f.Integration, By: by}, nil
}

// messageForm is the message composer.
type messageForm views.MessageForm

func newMessageForm(r *http.Request) messageForm {
	return messageForm{Text: r.PostFormValue("text"), AttachmentType: r.PostFormValue("attachment_type"), AttachmentURL: r.PostFormValue("attachment_url")}
}

// Validate returns the service's input; the service checks the values.
func (f messageForm) Validate(by accounts.Actor) (conversation.MessageInput, error) {
	return conversation.MessageInput{Text: f.Text, AttachmentType: f.AttachmentType, AttachmentURL: f.AttachmentURL, By: by}, nil
}

// reviewForm is QA's verdict and notes.
type reviewForm struct {
	Verdict string
	Notes   string
}

func newReviewForm(r *http.Request) reviewForm {
	return reviewForm{Verdict: r.PostFormValue("verdict"), Notes: r.PostFormValue("notes")}
}

// Validate returns the service's input; the service checks the values.
func (f reviewForm) Validate(by accounts.Actor) (conversation.ReviewInput, error) {
	return conversation.ReviewInput{Verdict: f.Verdict, Notes: f.Notes, By: by}, nil
}

// listForm is the sessions list's filter, from the query string.
type listForm struct {
	After, Search, State, Verdict, From, To, Connection string
	WorkType, Agent, StartedBy, EndedBy                 string
	Tag                                                 string
	Failed                                              string
}

func newListForm(r *http.Request) listForm {
	q := r.URL.Query()
	return listForm{After: q.Get("after"), Search: q.Get("q"), State: q.Get("state"), Verdict: q.Get("verdict"), From: q.Get("from"), To: q.Get("to"), Connection: q.Get("connection"),
		WorkType: q.Get("work_type"), Agent: q.Get("agent"), StartedBy: q.Get("started_by"), EndedBy: q.Get("ended_by"), Failed: q.Get("failed"), Tag: q.Get("tag")}
}

// Validate returns the service's query; the service checks the values.
func (f listForm) Validate() (conversation.ListQuery, error) {
	return conversation.ListQuery{Cursor: f.After, Search: f.Search, State: f.State, Verdict: f.Verdict, From: f.From, To: f.To, Connection: f.Connection,
		WorkType: f.WorkType, Agent: f.Agent, StartedBy: f.StartedBy, EndedBy: f.EndedBy, HasFailed: f.Failed == "1", Tag: f.Tag}, nil
}

// windowForm is how far back a session's page reaches, from its "Earlier"
// links.
type windowForm struct {
	MessagesFrom, EventsFrom string
}

func newWindowForm(r *http.Request) windowForm {
	q := r.URL.Query()
	return windowForm{MessagesFrom: q.Get("messages_from"), EventsFrom: q.Get("events_from")}
}

// Validate returns the window; an absent id means the newest rows.
func (f windowForm) Validate() (conversation.Window, error) {
	var w conversation.Window
	for _, p := range []struct {
		name, value string
		into        *int64
	}{{"messages_from", f.MessagesFrom, &w.MessagesFrom}, {"events_from", f.EventsFrom, &w.EventsFrom}} {
		if p.value == "" {
			continue
		}
		id, err := strconv.ParseInt(p.value, 10, 64)
		if err != nil || id < 1 {
			return w, input.Invalid(p.name, "the page link is not valid; open the session again")
		}
		*p.into = id
	}
	return w, nil
}

// commentForm is a reviewer's comment on one message.
type commentForm struct{ MessageID, Text string }

func newCommentForm(c *gin.Context) commentForm {
	return commentForm{MessageID: c.Param("mid"), Text: c.PostForm("comment")}
}

// Validate reads the message's number from the address.
func (f commentForm) Validate() (int64, string, error) {
	id, err := strconv.ParseInt(f.MessageID, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", fmt.Errorf("message %.20q: %w", f.MessageID, conversation.ErrNotFound)
	}
	return id, f.Text, nil
}
