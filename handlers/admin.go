package handlers

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"

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
		h.fail(c, http.StatusInternalServerError, "The users could not be loaded. Try again in a moment.", err)
		return
	}
	h.render(c, status, views.UsersPage(views.UsersPageData{Page: h.page("Users", "users"), Users: users, Form: form, Notice: notice, Error: problem}))
}

func (h *handler) userCreate(c *gin.Context) {
	form := views.NewUserForm{Username: c.PostForm("username"), Role: c.PostForm("role")}
	err := h.Accounts.CreateUser(c.Request.Context(), h.actor(c), form.Username, c.PostForm("password"), form.Role)
	var inputErr *accounts.InputError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/admin/users?done=created")
	case errors.As(err, &inputErr):
		form.Fields = inputErr.Fields
		h.showUsers(c, http.StatusUnprocessableEntity, form, "", "The user was not created; check the fields below.")
	default:
		h.fail(c, http.StatusInternalServerError, "The user could not be created. Try again in a moment.", err)
	}
}

// userChange runs one change on the user named in the path; change returns
// the code of the notice to show (see userNotices).
func (h *handler) userChange(change func(c *gin.Context, id int64) (string, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			h.fail(c, http.StatusNotFound, "There is no such user.", nil)
			return
		}
		done, err := change(c, id)
		var inputErr *accounts.InputError
		switch {
		case err == nil:
			c.Redirect(http.StatusSeeOther, "/admin/users?done="+done)
		case errors.Is(err, accounts.ErrNotFound):
			h.fail(c, http.StatusNotFound, "There is no such user.", nil)
		case errors.As(err, &inputErr):
			h.showUsers(c, http.StatusUnprocessableEntity, views.NewUserForm{Role: "operator"}, "", inputErr.Error())
		default:
			h.fail(c, http.StatusInternalServerError, "The change could not be saved. Try again in a moment.", err)
		}
	}
}

func (h *handler) userRole(c *gin.Context, id int64) (string, error) {
	return "role", h.Accounts.SetRole(c.Request.Context(), h.actor(c), id, c.PostForm("role"))
}

func (h *handler) userDisable(c *gin.Context, id int64) (string, error) {
	return "disabled", h.Accounts.SetDisabled(c.Request.Context(), h.actor(c), id, true)
}

func (h *handler) userEnable(c *gin.Context, id int64) (string, error) {
	return "enabled", h.Accounts.SetDisabled(c.Request.Context(), h.actor(c), id, false)
}

func (h *handler) userPassword(c *gin.Context, id int64) (string, error) {
	return "password", h.Accounts.ResetPassword(c.Request.Context(), h.actor(c), id, c.PostForm("password"))
}

func auditQuery(c *gin.Context) accounts.AuditQuery {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	return accounts.AuditQuery{Actor: c.Query("actor"), Action: c.Query("action"), From: c.Query("from"), To: c.Query("to"), BeforeID: before}
}

func (h *handler) auditPage(c *gin.Context) {
	q := auditQuery(c)
	page, err := h.Accounts.Audit(c.Request.Context(), q)
	var inputErr *accounts.InputError
	d := views.AuditPageData{Page: h.page("Audit", "audit"), Query: q, List: page}
	switch {
	case errors.As(err, &inputErr):
		d.Error = inputErr.Error()
		h.render(c, http.StatusBadRequest, views.AuditPage(d))
	case err != nil:
		h.fail(c, http.StatusInternalServerError, "The audit trail could not be loaded. Try again in a moment.", err)
	default:
		h.render(c, http.StatusOK, views.AuditPage(d))
	}
}

func (h *handler) auditCSV(c *gin.Context) {
	q := auditQuery(c)
	q.BeforeID = 0
	page, err := h.Accounts.ExportAudit(c.Request.Context(), q, h.actor(c))
	var inputErr *accounts.InputError
	switch {
	case errors.As(err, &inputErr):
		h.fail(c, http.StatusBadRequest, inputErr.Error(), nil)
		return
	case err != nil:
		h.fail(c, http.StatusInternalServerError, "The audit trail could not be exported. Try again in a moment.", err)
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
