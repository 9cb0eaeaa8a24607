package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/views"
)

// Refusals the handlers and their middleware make themselves; like the
// services' errors, they become sentences only in explain.
var (
	errNoPage       = errors.New("no route")
	errNoMethod     = errors.New("no route for this method")
	errNoUser       = errors.New("no user with that id")
	errSignInFirst  = errors.New("not signed in")
	errFormExpired  = errors.New("CSRF token missing or wrong")
	errLoginExpired = errors.New("sign-in form's CSRF token missing or wrong")
	errWhoUnknown   = errors.New("cannot authenticate")
)

// forbiddenError is a signed-in person whose role does not allow the action.
type forbiddenError struct{ Role string }

func (e *forbiddenError) Error() string { return "role " + e.Role + " is not allowed" }

// problem is an error as people are told it.
type problem struct {
	Status  int
	Message string            // one sentence for people
	Fields  map[string]string // input problems by the service's field names
	// Alvaria is Alvaria's own answer, which the start form lists.
	Alvaria *conversation.AlvariaError
	// Redirect, for the page script: where to go to put it right.
	Redirect string
	// Problems are an invalid scenario's, each where it stands.
	Problems []scenario.Problem
}

// explain maps an error kind to a status and a sentence. ok is false for an
// error of no known kind: that is a fault of Parley's, not the user's.
func explain(err error, query bool) (p problem, ok bool) {
	var (
		inputErr  *input.Error
		alvErr    *conversation.AlvariaError
		throttled *accounts.ThrottledError
		forbidden *forbiddenError
		tooBig    *http.MaxBytesError
		runErr    *runs.InputError
		tooMany   *runs.TooManyRunsError
		confirm   *runs.ConfirmLoadError
		tooLoaded *runs.TooManyLoadsError
		invalid   *scenario.Error
		badJSON   *badJSONError
		disabled  *conversation.ConnectionDisabledError
	)
	switch {
	case errors.As(err, &inputErr):
		status := http.StatusUnprocessableEntity
		if query {
			status = http.StatusBadRequest // a link, not a form, was wrong
		}
		return problem{Status: status, Message: sentences(inputErr.Fields), Fields: inputErr.Fields}, true
	case errors.Is(err, connections.ErrNotFound):
		return problem{Status: http.StatusNotFound, Message: "There is no such connection."}, true
	case errors.Is(err, connections.ErrReadOnly):
		return problem{Status: http.StatusConflict, Message: "This connection comes from Parley's settings; change it there and restart Parley."}, true
	case errors.As(err, &disabled):
		return problem{Status: http.StatusConflict, Message: input.Sentence(disabled.Error())}, true
	case errors.Is(err, conversation.ErrNotFound):
		return problem{Status: http.StatusNotFound, Message: "There is no session with this address."}, true
	case errors.Is(err, accounts.ErrNotFound), errors.Is(err, errNoUser):
		return problem{Status: http.StatusNotFound, Message: "There is no such user."}, true
	case errors.Is(err, errNoMethod):
		return problem{Status: http.StatusMethodNotAllowed, Message: "This address does not take that kind of request."}, true
	case errors.Is(err, errNoPage):
		return problem{Status: http.StatusNotFound, Message: "There is no page at this address."}, true
	case errors.Is(err, conversation.ErrSessionClosed):
		return problem{Status: http.StatusConflict, Message: "This session has ended: no more messages can be sent."}, true
	case errors.Is(err, conversation.ErrBadCursor):
		return problem{Status: http.StatusBadRequest, Message: "The page link is not valid; start again from the first page."}, true
	case errors.As(err, &alvErr):
		return problem{Status: http.StatusBadGateway, Message: alvErr.Error(), Alvaria: alvErr}, true
	case errors.Is(err, accounts.ErrBadCredentials):
		return problem{Status: http.StatusUnauthorized, Message: "The username or password is not right."}, true
	case errors.As(err, &throttled):
		return problem{Status: http.StatusTooManyRequests, Message: input.Sentence(throttled.Error()) + "."}, true
	case errors.Is(err, errSignInFirst), errors.Is(err, accounts.ErrSignedOut):
		return problem{Status: http.StatusUnauthorized, Message: "You are signed out. Sign in again, then retry.", Redirect: "/login"}, true
	case errors.As(err, &forbidden):
		return problem{Status: http.StatusForbidden, Message: "Your role (" + forbidden.Role + ") cannot do this."}, true
	case errors.Is(err, errFormExpired):
		return problem{Status: http.StatusForbidden, Message: "This form has expired. Reload the page and try again."}, true
	case errors.Is(err, errLoginExpired):
		return problem{Status: http.StatusForbidden, Message: "The sign-in form expired. Try again."}, true
	case errors.As(err, &tooBig):
		return problem{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("This form is too large: the limit is %s. Shorten what you typed and try again.", byteSize(tooBig.Limit))}, true
	case errors.Is(err, runs.ErrNotFound):
		return problem{Status: http.StatusNotFound, Message: "There is no such test or run."}, true
	case errors.As(err, &tooMany):
		return problem{Status: http.StatusTooManyRequests, Message: tooMany.Error()}, true
	case errors.As(err, &tooLoaded):
		return problem{Status: http.StatusTooManyRequests, Message: tooLoaded.Error()}, true
	case errors.As(err, &confirm):
		return problem{Status: http.StatusConflict, Message: confirm.Error()}, true
	case errors.As(err, &runErr):
		return problem{Status: http.StatusUnprocessableEntity, Message: runErr.Message}, true
	case errors.As(err, &invalid):
		return problem{Status: http.StatusUnprocessableEntity, Message: strings.TrimSuffix(input.Sentence(invalid.Error()), ".") + ".", Problems: invalid.Problems}, true
	case errors.As(err, &badJSON):
		return problem{Status: http.StatusBadRequest, Message: "The request body is not the JSON this API reads: " + badJSON.err.Error() + "."}, true
	case errors.Is(err, errNoToken):
		return problem{Status: http.StatusUnauthorized, Message: "This API needs a personal API token: send Authorization: Bearer <token>. Create one on your account page."}, true
	case errors.Is(err, accounts.ErrBadToken):
		return problem{Status: http.StatusUnauthorized, Message: "The API token is unknown or revoked, or its user is disabled."}, true
	case errors.Is(err, accounts.ErrTokenNotFound):
		return problem{Status: http.StatusNotFound, Message: "There is no such API token."}, true
	case errors.Is(err, errWhoUnknown):
		return problem{Status: http.StatusServiceUnavailable, Message: "Parley cannot check who you are right now. Try again in a moment."}, true
	}
	return problem{}, false
}

// sentences joins input problems, in field order, as one paragraph.
func sentences(fields map[string]string) string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	var b strings.Builder
	for i, f := range names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimSuffix(fields[f], "."))
		b.WriteByte('.')
	}
	return b.String()
}

// problemFor explains err, logging what people are not shown: the chain of
// an unknown error, which becomes a 500 naming the request id to quote, and
// of refusals that are not the user's doing.
func (h *handler) problemFor(c *gin.Context, err error) problem { return problemFor(c, h.Log, err) }

// respondError answers err as the request wants it: JSON for the page
// script, JSON for an API client, or an error page.
func (h *handler) respondError(c *gin.Context, err error) { respondError(c, h.Log, err) }

func (h *handler) respondProblem(c *gin.Context, p problem) { respondProblem(c, h.Log, p) }

// problemFor and respondError are functions too, for handlers that are not
// on handler (the simulator's desk).
func problemFor(c *gin.Context, log *slog.Logger, err error) problem {
	p, ok := explain(err, c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead)
	id := requestID(c)
	switch {
	case !ok:
		log.Error("request failed", "request_id", id, "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		return problem{Status: http.StatusInternalServerError, Message: "Something went wrong on Parley's side. Try again in a moment; if it keeps happening, tell an admin request id " + id + "."}
	case p.Status == http.StatusBadGateway || p.Status == http.StatusServiceUnavailable:
		log.Warn("request refused upstream", "request_id", id, "path", c.Request.URL.Path, "err", err)
	}
	return p
}

func respondError(c *gin.Context, log *slog.Logger, err error) {
	respondProblem(c, log, problemFor(c, log, err))
}

func respondProblem(c *gin.Context, log *slog.Logger, p problem) {
	switch {
	case isAsync(c):
		c.JSON(p.Status, asyncReply{Error: p.Message, Redirect: p.Redirect})
	case wantsJSON(c):
		c.JSON(p.Status, newJSONProblem(p))
	default:
		renderPage(c, log, p.Status, views.ErrorPage(p.Status, p.Message))
	}
}

// wantsJSON reports whether the client asked for JSON rather than a page;
// the API answers nothing else.
func wantsJSON(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, apiPrefix+"/") || c.NegotiateFormat(gin.MIMEHTML, gin.MIMEJSON) == gin.MIMEJSON
}

// JSONError is an error as JSON clients get it: {"error": "…"}, and an
// invalid scenario's problems each with its line and column. parley test
// run decodes it.
type JSONError struct {
	Error    string             `json:"error"`
	Problems []JSONErrorProblem `json:"problems,omitempty"`
}

// JSONErrorProblem is one problem of an invalid scenario, where it stands.
type JSONErrorProblem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func newJSONProblem(p problem) JSONError {
	out := JSONError{Error: p.Message}
	for _, sp := range p.Problems {
		out.Problems = append(out.Problems, JSONErrorProblem(sp))
	}
	return out
}

// formFields renames a service's input problems to a form's HTML field
// names; problems with fields the form does not have keep their names.
func formFields(names map[string]string, fields map[string]string) map[string]string {
	if len(fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(fields))
	for f, msg := range fields {
		if html, ok := names[f]; ok {
			f = html
		}
		out[f] = msg
	}
	return out
}
