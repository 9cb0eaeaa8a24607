package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/views"
)

// The account forms read what a person typed; the accounts service checks
// it and names problems by its own fields.

// loginForm is the sign-in form.
type loginForm struct {
	Username, Password, Next, CSRFToken string
}

func newLoginForm(r *http.Request) loginForm {
	return loginForm{
		Username:  strings.TrimSpace(r.PostFormValue("username")),
		Password:  r.PostFormValue("password"),
		Next:      safeNext(r.PostFormValue("next")),
		CSRFToken: r.PostFormValue("csrf"),
	}
}

// view is the form to show again: never the password.
func (f loginForm) view(problem string) views.LoginForm {
	return views.LoginForm{Username: f.Username, Next: f.Next, Error: problem}
}

// ownPasswordForm is the account page's password change.
type ownPasswordForm struct{ Current, Password string }

func newOwnPasswordForm(r *http.Request) ownPasswordForm {
	return ownPasswordForm{Current: r.PostFormValue("current"), Password: r.PostFormValue("password")}
}

// newUserForm is the admin's form to add a person.
type newUserForm struct{ Username, Password, Role string }

func newNewUserForm(r *http.Request) newUserForm {
	return newUserForm{Username: r.PostFormValue("username"), Password: r.PostFormValue("password"), Role: r.PostFormValue("role")}
}

// view is the form to show again with its problems: never the password.
func (f newUserForm) view(fields map[string]string) views.NewUserForm {
	return views.NewUserForm{Username: f.Username, Role: f.Role, Fields: fields}
}

// userForm is a change to one user: the id in the path and, for a role
// change or password reset, the value posted.
type userForm struct {
	ID       string
	Role     string
	Password string
}

func newUserChangeForm(r *http.Request, id string) userForm {
	return userForm{ID: id, Role: r.PostFormValue("role"), Password: r.PostFormValue("password")}
}

// Validate returns the user's id; one that is not a number names nobody.
func (f userForm) Validate() (int64, error) {
	id, err := strconv.ParseInt(f.ID, 10, 64)
	if err != nil {
		return 0, errNoUser
	}
	return id, nil
}

// auditForm is the audit trail's filter, from the query string.
type auditForm struct{ Actor, Action, From, To, Before, Session string }

func newAuditForm(r *http.Request) auditForm {
	q := r.URL.Query()
	return auditForm{Actor: q.Get("actor"), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to"), Before: q.Get("before"), Session: q.Get("session")}
}

// Validate returns the service's query. A cursor that is not a number
// starts from the newest entry, as a link cut short would.
func (f auditForm) Validate() (accounts.AuditQuery, error) {
	before, _ := strconv.ParseInt(f.Before, 10, 64)
	return accounts.AuditQuery{Actor: f.Actor, Action: f.Action, From: f.From, To: f.To, BeforeID: before, Session: f.Session}, nil
}

// tokenForm is the account page's form for a new API token.
type tokenForm struct{ Name string }

// tokenFields maps the service's field names to the form's.
var tokenFields = map[string]string{"name": "token_name"}

func newTokenForm(r *http.Request) tokenForm {
	return tokenForm{Name: r.PostFormValue("token_name")}
}

// tokenRevokeForm is a Revoke button: the token's id in the path.
type tokenRevokeForm struct{ ID string }

func newTokenRevokeForm(id string) tokenRevokeForm { return tokenRevokeForm{ID: id} }

// Validate returns the token's id; one that is not a number names no token.
func (f tokenRevokeForm) Validate() (int64, error) {
	id, err := strconv.ParseInt(f.ID, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("token %q: %w", f.ID, accounts.ErrTokenNotFound)
	}
	return id, nil
}
