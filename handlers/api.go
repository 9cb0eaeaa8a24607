package handlers

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/runs"
)

// apiPrefix is where the JSON API lives; every answer under it is JSON.
const apiPrefix = "/api/v1"

// apiRunsPage is how many runs one GET /api/v1/runs returns.
const apiRunsPage = 50

//go:embed openapi.yaml
var openAPIDocument []byte

// errNoToken is an API request without a bearer token.
var errNoToken = errors.New("no bearer token")

// apiAuthenticate lets in only requests with a valid personal API token:
// the API takes no cookies, so a page of another site cannot use it and it
// needs no CSRF token.
func (h *handler) apiAuthenticate(c *gin.Context) {
	// Answers hold transcripts and agents' words for one token's eyes; no
	// proxy or client cache is to keep them.
	c.Header("Cache-Control", "no-store")
	scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	token = strings.TrimSpace(token)
	err := errNoToken
	if strings.EqualFold(scheme, "Bearer") && token != "" {
		var p accounts.Principal
		p, err = h.Accounts.AuthenticateToken(c.Request.Context(), token, c.ClientIP(), c.Request.Method+" "+c.Request.URL.Path)
		if err == nil {
			c.Set(principalKey, p)
			c.Next()
			return
		}
	}
	if !errors.Is(err, errNoToken) && !errors.Is(err, accounts.ErrBadToken) {
		err = fmt.Errorf("%w: %w", errWhoUnknown, err)
	}
	c.Header("WWW-Authenticate", `Bearer realm="parley"`)
	h.respondError(c, err)
	c.Abort()
}

func (h *handler) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", openAPIDocument)
}

// The API's answers. They are exported so that parley test run decodes
// the same types the server encodes.

// APITest is a saved test as the API shows it.
type APITest struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Scenario   string    `json:"scenario"`
	CreatedBy  string    `json:"createdBy"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Runs       int       `json:"runs"`
	PassRate   float64   `json:"passRate"`
	LastRunID  int64     `json:"lastRunId,omitempty"`
	LastStatus string    `json:"lastStatus,omitempty"`
}

// APIRun is a run as the API shows it; Steps only when one run is asked for.
type APIRun struct {
	ID         int64      `json:"id"`
	TestID     string     `json:"testId,omitempty"`
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason,omitempty"`
	SessionID  string     `json:"sessionId,omitempty"`
	FailedStep *int       `json:"failedStep,omitempty"`
	StartedBy  string     `json:"startedBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	Steps      []APIStep  `json:"steps,omitempty"`
}

// APIStep is one step of a run with its outcome.
type APIStep struct {
	Number      int        `json:"number"`
	Line        int        `json:"line"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	Expected    string     `json:"expected,omitempty"`
	Got         string     `json:"got,omitempty"`
	StartedAt   *time.Time `json:"startedAt,omitempty"`
	FinishedAt  *time.Time `json:"finishedAt,omitempty"`
}

// APIRunList is a page of runs, newest first; NextBefore continues it.
type APIRunList struct {
	Runs       []APIRun `json:"runs"`
	NextBefore int64    `json:"nextBefore,omitempty"`
	// LoadRun is the load run a request with sessions started.
	LoadRun *APILoadRun `json:"loadRun,omitempty"`
}

func newAPITest(t runs.Test) APITest {
	return APITest{ID: t.ID, Name: t.Name, Scenario: t.Scenario, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		Runs: t.Runs, PassRate: t.PassRate, LastRunID: t.LastRunID, LastStatus: t.LastStatus}
}

func newAPIRun(r runs.Run) APIRun {
	out := APIRun{ID: r.ID, TestID: r.TestID, Name: r.Name, Status: r.Status, Reason: r.Reason, SessionID: r.SessionID,
		FailedStep: r.FailedStep, StartedBy: r.StartedBy, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	for _, s := range r.Steps {
		out.Steps = append(out.Steps, APIStep(s))
	}
	return out
}

func newAPIRuns(rs []runs.Run) []APIRun {
	out := make([]APIRun, len(rs))
	for i, r := range rs {
		out[i] = newAPIRun(r)
	}
	return out
}
