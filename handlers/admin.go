package handlers

import (
	"encoding/csv"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/views"
)

// userNotices are the users page's success notices by code: the address
// bar carries only the code, so a link cannot make the page say anything.
var userNotices = map[string]string{
	"created":  "User created.",
	"role":     "Role changed.",
	"disabled": "User disabled and signed out.",
	"enabled":  "User enabled.",
	"password": "Password reset; the user was signed out.",
}

func (h *handler) usersPage(c *gin.Context) {
	h.showUsers(c, http.StatusOK, views.NewUserForm{Role: "operator"}, userNotices[c.Query("done")], "")
}

func (h *handler) showUsers(c *gin.Context, status int, form views.NewUserForm, notice, problem string) {
	users, err := h.Accounts.ListUsers(c.Request.Context())
	if err != nil {
		h.respondError(c, err)
		return
	}
	h.render(c, status, views.UsersPage(views.UsersPageData{Page: h.page("Users", "users"), Users: users, Form: form, Notice: notice, Error: problem}))
}

func (h *handler) userCreate(c *gin.Context) {
	form := newNewUserForm(c.Request)
	err := h.Accounts.CreateUser(c.Request.Context(), h.actor(c), form.Username, form.Password, form.Role)
	if err != nil {
		h.usersFailed(c, form, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=created")
}

// usersFailed shows the users page again with why a change was refused and,
// for a new user, what was typed; other failures get the error page.
func (h *handler) usersFailed(c *gin.Context, form newUserForm, err error) {
	p := h.problemFor(c, err)
	if len(p.Fields) == 0 {
		h.respondProblem(c, p)
		return
	}
	h.showUsers(c, p.Status, form.view(p.Fields), "", p.Message)
}

// userChange runs one change on the user named in the path; change returns
// the code of the notice to show (see userNotices).
func (h *handler) userChange(change func(c *gin.Context, f userForm, id int64) (string, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		form := newUserChangeForm(c.Request, c.Param("id"))
		id, err := form.Validate()
		done := ""
		if err == nil {
			done, err = change(c, form, id)
		}
		if err != nil {
			h.usersFailed(c, newUserForm{Role: accounts.RoleOperator}, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/admin/users?done="+done)
	}
}

func (h *handler) userRole(c *gin.Context, f userForm, id int64) (string, error) {
	return "role", h.Accounts.SetRole(c.Request.Context(), h.actor(c), id, f.Role)
}

func (h *handler) userDisable(c *gin.Context, _ userForm, id int64) (string, error) {
	return "disabled", h.Accounts.SetDisabled(c.Request.Context(), h.actor(c), id, true)
}

func (h *handler) userEnable(c *gin.Context, _ userForm, id int64) (string, error) {
	return "enabled", h.Accounts.SetDisabled(c.Request.Context(), h.actor(c), id, false)
}

func (h *handler) userPassword(c *gin.Context, f userForm, id int64) (string, error) {
	return "password", h.Accounts.ResetPassword(c.Request.Context(), h.actor(c), id, f.Password)
}

func (h *handler) auditPage(c *gin.Context) {
	q, err := newAuditForm(c.Request).Validate()
	var page accounts.AuditPage
	if err == nil {
		page, err = h.Accounts.Audit(c.Request.Context(), q)
	}
	d := views.AuditPageData{Page: h.page("Audit", "audit"), Query: q, List: page}
	if err != nil {
		p := h.problemFor(c, err)
		if len(p.Fields) == 0 {
			h.respondProblem(c, p)
			return
		}
		d.Error = p.Message
		h.render(c, p.Status, views.AuditPage(d))
		return
	}
	h.render(c, http.StatusOK, views.AuditPage(d))
}

func (h *handler) auditCSV(c *gin.Context) {
	q, err := newAuditForm(c.Request).Validate()
	var page accounts.AuditPage
	if err == nil {
		q.BeforeID = 0
		page, err = h.Accounts.ExportAudit(c.Request.Context(), q, h.actor(c))
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	attach(c, "audit.csv")
	c.Header("Content-Type", "text/csv; charset=utf-8")
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"time", "actor", "action", "target", "detail", "client_addr"})
	for _, e := range page.Entries {
		w.Write(safeCSV(stamp(e.At), e.Actor, e.Action, e.Target, e.Detail, e.ClientAddr))
	}
	w.Flush()
}
