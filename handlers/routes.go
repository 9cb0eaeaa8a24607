// Package handlers is Parley's HTTP layer: it parses requests, calls one
// service method, and renders a templ view or a redirect.
package handlers

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/connections"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/runs"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/static"
)

// Readiness reports whether the database answers and takes writes.
type Readiness interface {
	Ping(ctx context.Context) error
	CheckWritable(ctx context.Context) error
}

// SessionService is what the session screens need of the conversation service.
type SessionService interface {
	ListSessions(ctx context.Context, q conversation.ListQuery) (conversation.SessionList, error)
	SessionsChanged(ctx context.Context, since time.Time, ids []string) (conversation.ChangedSessions, error)
	Session(ctx context.Context, id string) (conversation.Session, error)
	SessionDetail(ctx context.Context, id string) (conversation.Detail, error)
	SessionPage(ctx context.Context, id string, w conversation.Window) (conversation.Detail, error)
	Changes(ctx context.Context, id string, afterSeq int64) (conversation.Detail, error)
	StartSession(ctx context.Context, in conversation.StartInput) (conversation.Session, error)
	SendMessage(ctx context.Context, sessionID string, in conversation.MessageInput) (conversation.Message, error)
	EndSession(ctx context.Context, sessionID string, by accounts.Actor) error
	ReviewSession(ctx context.Context, sessionID string, in conversation.ReviewInput) error
	CommentOnMessage(ctx context.Context, sessionID string, messageID int64, text string, by accounts.Actor) error
	TagSession(ctx context.Context, sessionID, tag string, by accounts.Actor) error
	UntagSession(ctx context.Context, sessionID, tag string, by accounts.Actor) error
	ExportTranscript(ctx context.Context, sessionID, format string, by accounts.Actor) (conversation.Detail, error)
	ExportSessions(ctx context.Context, q conversation.ListQuery, by accounts.Actor) ([]conversation.Session, error)
	ExportTranscripts(ctx context.Context, q conversation.ListQuery, by accounts.Actor, fn func(conversation.Detail) error) error
	ScenarioFromSession(ctx context.Context, sessionID string) (string, error)
}

// RunService is what the conversation-test screens and the API need of the
// runs service.
type RunService interface {
	SaveTest(ctx context.Context, in runs.TestInput) (runs.Test, error)
	DeleteTest(ctx context.Context, id string, by accounts.Actor) error
	GetTest(ctx context.Context, id string) (runs.Test, error)
	ListTests(ctx context.Context) ([]runs.Test, error)
	StartRuns(ctx context.Context, in runs.RunInput) ([]runs.Run, error)
	GetRun(ctx context.Context, id int64) (runs.Run, error)
	ListRuns(ctx context.Context, f runs.RunFilter) ([]runs.Run, error)
	StartLoad(ctx context.Context, in runs.LoadInput) (runs.LoadRun, error)
	CancelLoad(ctx context.Context, id int64, by accounts.Actor) (runs.LoadRun, error)
	GetLoad(ctx context.Context, id int64) (runs.LoadRun, error)
	LoadReport(ctx context.Context, id int64) (runs.LoadReport, error)
	ListLoads(ctx context.Context, testID string) ([]runs.LoadRun, error)
	LoadCeiling() int
	Schedule(ctx context.Context, in runs.ScheduleInput) (runs.Monitor, error)
	Unschedule(ctx context.Context, testID string, by accounts.Actor) error
	GetMonitor(ctx context.Context, testID string) (runs.Monitor, error)
	ListAlerts(ctx context.Context, testID string) ([]runs.Alert, error)
	Monitoring(ctx context.Context) ([]runs.MonitorRow, error)
}

// AccountService is what sign-in and the admin screens need.
type AccountService interface {
	SignIn(ctx context.Context, username, password, addr string) (accounts.SignedIn, error)
	Authenticate(ctx context.Context, token string) (accounts.Principal, string, error)
	StillSignedIn(ctx context.Context, token string) (accounts.Principal, error)
	SignOut(ctx context.Context, token string, a accounts.Actor) error
	ListUsers(ctx context.Context) ([]accounts.User, error)
	CreateUser(ctx context.Context, a accounts.Actor, username, password, role string) error
	SetRole(ctx context.Context, a accounts.Actor, id int64, role string) error
	SetDisabled(ctx context.Context, a accounts.Actor, id int64, disabled bool) error
	ResetPassword(ctx context.Context, a accounts.Actor, id int64, password string) error
	Audit(ctx context.Context, q accounts.AuditQuery) (accounts.AuditPage, error)
	ExportAudit(ctx context.Context, q accounts.AuditQuery, by accounts.Actor) (accounts.AuditPage, error)
	Record(ctx context.Context, a accounts.Actor, action, target, detail string) error
	LastAudit(ctx context.Context, action string) (accounts.AuditEntry, bool, error)
	ChangeOwnPassword(ctx context.Context, a accounts.Actor, token, current, next string) error
	// Personal API tokens.
	CreateToken(ctx context.Context, by accounts.Actor, username, name string) (accounts.NewToken, error)
	ListTokens(ctx context.Context, username string) ([]accounts.APIToken, error)
	RevokeToken(ctx context.Context, by accounts.Actor, id int64) error
	AuthenticateToken(ctx context.Context, token, addr, what string) (accounts.Principal, error)
}

// CallbackService applies verified callbacks.
type CallbackService interface {
	ReceiveCallback(ctx context.Context, in conversation.CallbackInput) (kind string, err error)
}

// ConnectionService is what the Connections pages, the start form and the
// webhook need of the connections service.
type ConnectionService interface {
	CallbackGate
	List(ctx context.Context) ([]connections.Connection, error)
	Get(ctx context.Context, slug string) (connections.Connection, error)
	Create(ctx context.Context, in connections.Input) (connections.Connection, error)
	Update(ctx context.Context, slug string, in connections.Input) (connections.Connection, error)
	SetDisabled(ctx context.Context, slug string, disabled bool, by accounts.Actor) error
	Test(ctx context.Context, slug string, by accounts.Actor) (connections.TestResult, error)
	Diagnostics(slug string) (connections.Diagnostics, error)
}

// CallbackVerifier checks the JWT of a callback.
type CallbackVerifier interface {
	Verify(authorization string) (*alvaria.CallbackClaims, error)
}

// Deps are the handlers' dependencies, built in cmd/parley.
type Deps struct {
	Log       *slog.Logger
	Health    Readiness
	Sessions  SessionService
	Runs      RunService // conversation tests; nil serves none
	Callbacks CallbackService
	Verifier  CallbackVerifier // used when Connections is nil
	// Connections are the Alvaria connections: the Connections pages, the
	// start form's choice, and each connection's callback path. Nil serves
	// only the old callback path, verified by Verifier.
	Connections ConnectionService
	Accounts    AccountService
	// SecureCookies marks cookies Secure and sends HSTS; set when the
	// public URL is https.
	SecureCookies bool
	// TrustedProxies may set X-Forwarded-For; empty trusts none, so the
	// audit trail records the connecting address.
	TrustedProxies []string
	Live           live.Broker
	// Connection names the Alvaria connection for the top bar.
	Connection string
	// OriginPatterns are the hosts allowed to open the websocket besides
	// the console's own (coder/websocket's patterns, e.g. "parley.example.com").
	OriginPatterns []string
	// Simulator, when set, is mounted under /sim; Desk, when set, serves its
	// agent desk and delivery log there, behind the console's sign-in, live
	// from DeskLive, the broker the simulator publishes its changes to (nil:
	// Live). The simulator is this process's own, so it need not be Live.
	Simulator http.Handler
	Desk      AgentDesk
	DeskLive  live.Broker
	// MaxBodyBytes bounds every request body; 0 means 1 MiB.
	MaxBodyBytes int64
	// CallbackTimeout bounds the database work of one callback; 0 means
	// DefaultCallbackTimeout.
	CallbackTimeout time.Duration
	// Metrics counts callbacks, CSRF refusals and websockets; nil counts
	// nothing.
	Metrics Metrics
	// MetricsPage, when set, is served at /metrics to signed-in admins;
	// nil serves no /metrics here (it has its own listener, or none).
	MetricsPage http.Handler
}

type handler struct {
	Deps
	gate CallbackGate
}

// NewRouter wires every URL of the console.
func NewRouter(d Deps) *gin.Engine {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.CallbackTimeout == 0 {
		d.CallbackTimeout = DefaultCallbackTimeout
	}
	if d.Metrics == nil {
		d.Metrics = ignoreMetrics{}
	}
	h := &handler{Deps: d, gate: singleGate{d.Verifier}}
	if d.Connections != nil {
		h.gate = d.Connections
	}

	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Log.Error("trusted proxies", "err", err)
	}
	r.Use(requestLog(d.Log), recoverPanic(d.Log), securityHeaders(d.SecureCookies), h.limitBody)
	r.NoRoute(h.notFound)
	r.NoMethod(h.noMethod)

	// Machines: probes, assets, and Alvaria (which signs its calls).
	for _, probe := range []struct {
		path string
		fn   gin.HandlerFunc
	}{{"/healthz", h.healthz}, {"/readyz", h.readyz}} {
		r.GET(probe.path, probe.fn)
		r.HEAD(probe.path, probe.fn)
	}
	r.StaticFS("/static", filesOnly{http.FS(static.FS)})
	r.POST("/webhooks/server-messaging", h.webhook)
	r.POST("/webhooks/server-messaging/:connection", h.webhook)
	if d.Simulator != nil {
		// The simulator's API is for applications, which sign their own
		// calls; its desk and delivery pages are for people and ask for the
		// console's sign-in.
		api := gin.WrapH(http.StripPrefix("/sim", d.Simulator))
		for _, p := range []string{"/sim/tokenservice/*path", "/sim/via/*path"} {
			r.Any(p, api)
		}
		r.GET("/sim"+simulator.PublicKeyPath, api)
		// The delivery log holds callback bodies (transcripts) and live
		// JWTs, so in the console it is for signed-in people only, and the
		// JWTs are whole only for those who play the agent anyway.
		r.GET("/sim"+simulator.DeliveriesPath, h.authenticate, h.requireUser, hideTokenSignaturesUnless(accounts.Converse), api)
		if d.Desk != nil {
			registerDesk(r, DeskDeps{
				Log:            d.Log,
				Simulator:      d.Desk,
				Live:           cmp.Or(d.DeskLive, d.Live),
				Prefix:         "/sim",
				Connection:     d.Connection,
				OriginPatterns: d.OriginPatterns,
				View:           []gin.HandlerFunc{h.authenticate, h.requireUser, h.checkCSRF, h.watchSignIn, h.noteDeliveryPause},
				Act:            []gin.HandlerFunc{h.require(accounts.Converse)},
				WholeTokens:    func(c *gin.Context) bool { return principal(c).Can(accounts.Converse) },
				Audit: func(c *gin.Context, action, target, detail string) {
					h.Accounts.Record(c.Request.Context(), h.actor(c), action, target, detail)
				},
			})
		}
	}

	people := r.Group("/", h.authenticate, h.noteDeliveryPause)
	people.GET("/login", h.loginPage)
	people.POST("/login", h.login)

	signedIn := people.Group("/", h.requireUser, h.checkCSRF)
	signedIn.POST("/logout", h.logout)
	signedIn.GET("/account", h.accountPage)
	signedIn.POST("/account/password", h.accountPassword)
	signedIn.POST("/account/tokens", h.accountTokenCreate)
	signedIn.POST("/account/tokens/:id/revoke", h.accountTokenRevoke)
	signedIn.GET("/", h.sessionsList)
	signedIn.GET("/live/sessions", h.watchSignIn, h.sessionsLive)
	signedIn.GET("/sessions/:id", h.sessionShow)
	signedIn.GET("/sessions/:id/live", h.watchSignIn, h.sessionLive)
	signedIn.GET("/sessions/:id/print", h.sessionPrint)

	converse := signedIn.Group("/", h.require(accounts.Converse))
	converse.GET("/sessions/new", h.sessionNew)
	converse.POST("/sessions", h.sessionCreate)
	converse.POST("/sessions/:id/messages", h.messageSend)
	converse.POST("/sessions/:id/end", h.sessionEnd)

	signedIn.POST("/sessions/:id/review", h.require(accounts.Review), h.sessionReview)
	signedIn.POST("/sessions/:id/messages/:mid/comments", h.require(accounts.Review), h.messageComment)
	signedIn.POST("/sessions/:id/tags", h.require(accounts.Review), h.sessionTag)
	signedIn.POST("/sessions/:id/tags/delete", h.require(accounts.Review), h.sessionUntag)

	export := signedIn.Group("/", h.require(accounts.Export))
	export.GET("/sessions.csv", h.sessionsCSV)
	export.GET("/sessions/transcripts.zip", h.transcriptsZip)
	export.GET("/sessions/:id/transcript.json", h.transcriptJSON)
	export.GET("/sessions/:id/transcript.csv", h.transcriptCSV)

	// Conversation tests in the console: everyone reads, operators write and run.
	if d.Runs != nil {
		signedIn.GET("/tests", h.testsList)
		signedIn.GET("/tests/:id", h.testShow)
		signedIn.GET("/tests/:id/live", h.watchSignIn, h.testLive)
		signedIn.GET("/runs/:id", h.runShow)
		signedIn.GET("/monitoring", h.monitoringPage)
		converse.POST("/tests/:id/schedule", h.testSchedule)
		converse.POST("/tests/:id/schedule/delete", h.testUnschedule)
		signedIn.GET("/runs/:id/live", h.watchSignIn, h.runLive)
		converse.GET("/tests/new", h.testNew)
		converse.POST("/tests", h.testCreate)
		converse.GET("/tests/:id/edit", h.testEdit)
		converse.POST("/tests/:id", h.testUpdate)
		converse.POST("/tests/:id/runs", h.testRun)
		converse.POST("/tests/:id/delete", h.testDelete)
		signedIn.GET("/loads/:id", h.loadShow)
		signedIn.GET("/loads/:id/live", h.watchSignIn, h.loadLive)
		signedIn.GET("/loads/:id/export.csv", h.loadCSV)
		signedIn.GET("/loads/:id/export.json", h.loadJSON)
		converse.POST("/tests/:id/loads", h.testLoad)
		converse.POST("/loads/:id/cancel", h.loadCancel)
	}

	admin := signedIn.Group("/admin", h.require(accounts.ManageUsers))
	admin.GET("/users", h.usersPage)
	admin.POST("/users", h.userCreate)
	admin.POST("/users/:id/role", h.userChange(h.userRole))
	admin.POST("/users/:id/disable", h.userChange(h.userDisable))
	admin.POST("/users/:id/enable", h.userChange(h.userEnable))
	admin.POST("/users/:id/password", h.userChange(h.userPassword))
	if d.Connections != nil {
		admin.GET("/connections", h.connectionsList)
		admin.GET("/connections/new", h.connectionNew)
		admin.POST("/connections", h.connectionCreate)
		admin.GET("/connections/:slug", h.connectionShow)
		admin.POST("/connections/:slug", h.connectionUpdate)
		admin.POST("/connections/:slug/test", h.connectionTest)
		admin.POST("/connections/:slug/disable", h.connectionSetDisabled(true))
		admin.POST("/connections/:slug/enable", h.connectionSetDisabled(false))
	}
	admin.GET("/audit", h.auditPage)
	admin.GET("/audit.csv", h.auditCSV)
	if d.MetricsPage != nil {
		// Metrics name no customer, but they show traffic and errors, so on
		// the console they are for admins; a scraper gets its own listener.
		signedIn.GET("/metrics", h.require(accounts.ManageUsers), h.metricsPage)
	}

	registerAPI(r, h)
	return r
}

// registerAPI wires the JSON API: personal API tokens only, no cookies, so
// no CSRF. Its OpenAPI document lists every route (see api_openapi_test.go).
func registerAPI(r *gin.Engine, h *handler) {
	r.GET(apiPrefix+"/openapi.yaml", h.openAPI)
	api := r.Group(apiPrefix, h.apiAuthenticate)
	api.GET("/sessions/:id/transcript", h.require(accounts.Export), h.apiTranscript)
	if h.Runs == nil {
		return
	}
	api.GET("/tests", h.apiTestsList)
	api.GET("/runs", h.apiRunsList)
	api.GET("/runs/:id", h.apiRunsShow)
	api.POST("/runs", h.require(accounts.Converse), h.apiRunsStart)
	api.GET("/loads/:id", h.apiLoadsShow)
	api.POST("/loads/:id/cancel", h.require(accounts.Converse), h.apiLoadsCancel)
}
