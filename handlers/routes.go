// Package handlers is Parley's HTTP layer: it parses requests, calls one
// service method, and renders a templ view or a redirect.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/static"
	"github.com/parley-dev/parley/store"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// SessionService is what the session screens need of the conversation service.
type SessionService interface {
	ListSessions(ctx context.Context, q conversation.ListQuery) (conversation.SessionList, error)
	SessionsChanged(ctx context.Context, since time.Time, ids []string) (conversation.ChangedSessions, error)
	Session(ctx context.Context, id string) (conversation.Session, error)
	SessionDetail(ctx context.Context, id string) (conversation.Detail, error)
	Changes(ctx context.Context, id string, afterSeq int64) (conversation.Detail, error)
	StartSession(ctx context.Context, in conversation.StartInput) (conversation.Session, error)
	SendMessage(ctx context.Context, sessionID string, in conversation.MessageInput) (store.Message, error)
	EndSession(ctx context.Context, sessionID, by string) error
}

// CallbackService applies verified callbacks.
type CallbackService interface {
	ReceiveCallback(ctx context.Context, in conversation.CallbackInput) error
}

// CallbackVerifier checks the JWT of a callback.
type CallbackVerifier interface {
	Verify(authorization string) (*alvaria.CallbackClaims, error)
}

// Deps are the handlers' dependencies, built in cmd/parley.
type Deps struct {
	Log       *slog.Logger
	Health    Pinger
	Sessions  SessionService
	Callbacks CallbackService
	Verifier  CallbackVerifier
	Live      live.Broker
	// Connection names the Alvaria connection for the top bar.
	Connection string
	// OriginPatterns are the hosts allowed to open the websocket besides
	// the console's own (coder/websocket's patterns, e.g. "parley.example.com").
	OriginPatterns []string
	// Simulator, when set, is mounted under /sim.
	Simulator http.Handler
	// MaxBodyBytes bounds every request body; 0 means 1 MiB.
	MaxBodyBytes int64
}

type handler struct {
	Deps
	stats stats
}

// NewRouter wires every URL of the console.
func NewRouter(d Deps) *gin.Engine {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	h := &handler{Deps: d}

	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestLog(d.Log), recoverPanic(d.Log), limitBody(d.MaxBodyBytes))
	r.NoRoute(h.notFound)

	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	r.GET("/metrics", h.metrics)
	r.StaticFS("/static", http.FS(static.FS))
	r.POST("/webhooks/server-messaging", h.webhook)
	if d.Simulator != nil {
		sim := gin.WrapH(http.StripPrefix("/sim", d.Simulator))
		r.Any("/sim/*path", sim)
	}

	r.GET("/", h.sessionsList)
	r.GET("/live/sessions", h.sessionsLive)
	r.GET("/sessions/new", h.sessionNew)
	r.POST("/sessions", h.sessionCreate)
	r.GET("/sessions/:id", h.sessionShow)
	r.GET("/sessions/:id/live", h.sessionLive)
	r.POST("/sessions/:id/messages", h.messageSend)
	r.POST("/sessions/:id/end", h.sessionEnd)
	return r
}
