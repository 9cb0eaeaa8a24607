package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/static"
	"github.com/parley-dev/parley/views"
)

// AgentDesk is what the desk and deliveries pages need of the simulator.
type AgentDesk interface {
	DeliveryLog
	Sessions() []simulator.SessionInfo
	Session(id string) (simulator.SessionInfo, error)
	Transcript(id string) ([]simulator.Entry, error)
	Join(id, alias string) error
	AgentReply(id string, m alvaria.Message) error
	Transfer(id, agentAlias, workTypeID string) error
	FailMessage(id, messageID, statusMessage string) error
	End(id string) error
	TakeOver(id string) error
	HandBack(id string) error
}

// DeskDeps are the desk's dependencies.
type DeskDeps struct {
	Log       *slog.Logger
	Simulator AgentDesk
	// Live is where the simulator publishes its changes
	// (simulator.ChangesTopic); the pages stream from it. Nil shows no
	// change until a page is loaded again.
	Live live.Broker
	// Prefix is where the simulator is mounted ("/sim" in the console).
	Prefix string
	// Connection names the connection for the top bar.
	Connection string
	// OriginPatterns are extra hosts allowed to open the websockets.
	OriginPatterns []string
	// Origins are the standalone simulator's own origins, such as
	// "http://127.0.0.1:9090": with no accounts, its actions are accepted
	// only from pages served there.
	Origins []string
	// Hosts, when set, are the only Host names the standalone simulator
	// answers (421 otherwise): listening on loopback, that keeps a site
	// whose name was rebound to 127.0.0.1 from reading or driving it.
	Hosts []string
	// View guards reading the pages; Act guards the agent's actions. In the
	// console they are its sign-in, CSRF and role checks.
	View, Act []gin.HandlerFunc
	// WholeTokens reports whether the reader may see the delivery log's
	// callback tokens with their signatures, which make them replayable;
	// others see them WithoutSignature. Nil shows them to everyone, as
	// `parley simulate`, which has no accounts, does.
	WholeTokens func(*gin.Context) bool
	// Audit records an action that happened (accounts.ActionDesk… and
	// ActionDelivery…) with its target; nil records nothing, as `parley
	// simulate`, which has no accounts, does.
	Audit func(c *gin.Context, action, target, detail string)
}

type desk struct{ DeskDeps }

// registerDesk adds the agent desk and the delivery log under d.Prefix.
func registerDesk(r *gin.Engine, d DeskDeps) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Live == nil {
		d.Live = live.NewHub()
	}
	k := &desk{DeskDeps: d}
	view := r.Group(d.Prefix, d.View...)
	view.GET("/desk", k.list)
	view.GET("/desk/live", k.listLive)
	view.GET("/desk/:id", k.session)
	view.GET("/desk/:id/live", k.sessionLive)
	act := view.Group("/", d.Act...)
	act.POST("/desk/:id/take-over", k.act(accounts.ActionDeskTakeOver, func(c *gin.Context, id string) (string, error) { return "", d.Simulator.TakeOver(id) }))
	act.POST("/desk/:id/hand-back", k.act(accounts.ActionDeskHandBack, func(c *gin.Context, id string) (string, error) { return "", d.Simulator.HandBack(id) }))
	act.POST("/desk/:id/reply", k.act(accounts.ActionDeskReply, k.reply))
	act.POST("/desk/:id/join", k.act(accounts.ActionDeskJoin, func(c *gin.Context, id string) (string, error) {
		alias := strings.TrimSpace(c.PostForm("alias"))
		return "as " + alias, d.Simulator.Join(id, alias)
	}))
	act.POST("/desk/:id/transfer", k.act(accounts.ActionDeskTransfer, func(c *gin.Context, id string) (string, error) {
		alias, workType := strings.TrimSpace(c.PostForm("agent_alias")), strings.TrimSpace(c.PostForm("work_type_id"))
		detail := "to agent " + alias
		if alias == "" {
			detail = "to work type " + workType
		}
		return detail, d.Simulator.Transfer(id, alias, workType)
	}))
	act.POST("/desk/:id/fail", k.act(accounts.ActionDeskFail, func(c *gin.Context, id string) (string, error) {
		messageID := c.PostForm("message_id")
		return "message " + messageID, d.Simulator.FailMessage(id, messageID, strings.TrimSpace(c.PostForm("status_message")))
	}))
	act.POST("/desk/:id/end", k.act(accounts.ActionDeskEnd, func(c *gin.Context, id string) (string, error) { return "", d.Simulator.End(id) }))
	k.deliveryRoutes(view, act)
}

func (k *desk) page(title, nav string) views.Page {
	return views.Page{Title: title, Nav: nav, Connection: k.Connection}
}

func (k *desk) render(c *gin.Context, status int, page templ.Component) {
	renderPage(c, k.Log, status, page)
}

func (k *desk) listData() views.DeskPageData {
	return views.DeskPageData{Page: k.page("Agent desk", "desk"), Prefix: k.Prefix, Sessions: k.Simulator.Sessions(), Now: time.Now()}
}

func (k *desk) list(c *gin.Context) {
	k.render(c, http.StatusOK, views.DeskPage(k.listData()))
}

func (k *desk) listLive(c *gin.Context) {
	k.stream(c, "", func(ctx context.Context) ([]item, error) {
		html, err := renderHTML(ctx, views.DeskRows(k.listData()))
		return []item{{ID: "desk-rows", HTML: html}}, err
	})
}

func (k *desk) sessionData(id string) (views.DeskSessionData, error) {
	info, err := k.Simulator.Session(id)
	if err != nil {
		return views.DeskSessionData{}, err
	}
	t, err := k.Simulator.Transcript(id)
	if err != nil {
		return views.DeskSessionData{}, err
	}
	return views.DeskSessionData{Page: k.page(info.ContactName+" · Agent desk", "desk"), Prefix: k.Prefix, Info: info, Transcript: t, Now: time.Now()}, nil
}

func (k *desk) session(c *gin.Context) {
	d, err := k.sessionData(c.Param("id"))
	if err != nil {
		k.render(c, http.StatusNotFound, views.ErrorPage(http.StatusNotFound, "The simulator has no session with this address."))
		return
	}
	k.render(c, http.StatusOK, views.DeskSessionPage(d))
}

func (k *desk) sessionLive(c *gin.Context) {
	id := c.Param("id")
	k.stream(c, id, func(ctx context.Context) ([]item, error) {
		d, err := k.sessionData(id)
		if err != nil {
			return nil, err
		}
		var items []item
		for _, part := range []struct {
			id   string
			view templ.Component
		}{
			{"desk-transcript", views.DeskTranscript(d)},
			{"desk-status", views.DeskStatus(d)},
			{"fail-message", views.DeskFailChoices(d)},
		} {
			html, err := renderHTML(ctx, part.view)
			if err != nil {
				return nil, err
			}
			items = append(items, item{ID: part.id, HTML: html})
		}
		if !d.Live() {
			html, err := renderHTML(ctx, views.DeskClosed(d))
			if err != nil {
				return nil, err
			}
			items = append(items, item{ID: "desk-actions", HTML: html})
		}
		return items, nil
	})
}

func (k *desk) reply(c *gin.Context, id string) (string, error) {
	m := alvaria.Message{Text: strings.TrimSpace(c.PostForm("text"))}
	if t, u := strings.TrimSpace(c.PostForm("attachment_type")), strings.TrimSpace(c.PostForm("attachment_url")); t != "" || u != "" {
		m.Attachment = &alvaria.Attachment{Type: t, URL: u}
	}
	if err := m.Validate(); err != nil {
		return "", err
	}
	detail := "text"
	if m.Attachment != nil {
		detail = m.Attachment.Type + " attachment"
	}
	return detail, k.Simulator.AgentReply(id, m)
}

// act runs one agent action on the session in the path and, when it
// happened, records it (the target is the Alvaria session id). The page
// learns the outcome over its websocket; the answer only carries an error.
func (k *desk) act(action string, fn func(c *gin.Context, id string) (detail string, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		detail, err := fn(c, id)
		if err == nil {
			k.audit(c, action, id, detail)
		}
		k.answer(c, err, k.Prefix+"/desk/"+id)
	}
}

func (k *desk) audit(c *gin.Context, action, target, detail string) {
	if k.Audit != nil {
		k.Audit(c, action, target, detail)
	}
}

// answer tells the page how an action went: a redirect back (or nothing,
// to the page's script) when it worked, the error otherwise.
func (k *desk) answer(c *gin.Context, err error, back string) {
	switch {
	case err != nil:
		k.deskError(c, err)
	case isAsync(c):
		c.JSON(http.StatusOK, asyncReply{})
	default:
		c.Redirect(http.StatusSeeOther, back)
	}
}

// deskError answers an action's error. The simulator's own errors say in
// words what was wrong; any other is a fault on our side: 500 and a
// sentence for the person, the detail only in the log.
func (k *desk) deskError(c *gin.Context, err error) {
	status, problem := http.StatusInternalServerError, "Something went wrong on our side, and the action was not done. The details are in the server's log."
	var v *alvaria.ValidationError
	var in *input.Error
	switch {
	case errors.As(err, &in):
		status, problem = http.StatusBadRequest, sentences(in.Fields)
	case errors.Is(err, simulator.ErrUnknownSession), errors.Is(err, simulator.ErrUnknownEvent):
		status, problem = http.StatusNotFound, err.Error()
	case errors.Is(err, simulator.ErrSessionEnded):
		status, problem = http.StatusConflict, err.Error()
	case errors.As(err, &v):
		status, problem = http.StatusUnprocessableEntity, v.Error()
	case errors.Is(err, simulator.ErrNoAgent), errors.Is(err, simulator.ErrUnknownMessage):
		status, problem = http.StatusBadRequest, err.Error()
	default:
		k.Log.Error("desk action failed", "path", c.Request.URL.Path, "err", err)
	}
	if isAsync(c) {
		c.JSON(status, asyncReply{Error: problem})
		return
	}
	k.render(c, status, views.ErrorPage(status, problem))
}

// stream keeps a desk page current through the broker the simulator
// publishes to: it sends the rendered parts on connect and again after each
// change with the given key, or after every change when key is "".
func (k *desk) stream(c *gin.Context, key string, render func(ctx context.Context) ([]item, error)) {
	streamTopic(c, k.Live, simulator.ChangesTopic, k.OriginPatterns, k.Log, func(ctx context.Context, _ int64, keys []string, all bool) (liveUpdate, error) {
		if key != "" && !all && !slices.Contains(keys, key) {
			return liveUpdate{}, nil
		}
		items, err := render(ctx)
		return liveUpdate{Items: items}, err
	})
}

// NewStandaloneSimulator serves the simulator's API with its desk and
// delivery pages at the root, for `parley simulate`. There are no accounts
// there, so the pages' actions are refused unless they come from the pages
// themselves (same origin).
func NewStandaloneSimulator(api http.Handler, d DeskDeps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.Act = append(d.Act, sameOrigin(d.Origins))
	pages := gin.New()
	pages.Use(requestLog(d.Log), recoverPanic(d.Log), securityHeaders(false))
	registerDesk(pages, d)
	pages.StaticFS("/static", filesOnly{http.FS(static.FS)})
	// The API is served as it is, not through gin's NoRoute, which would
	// answer 404 for a handler that writes without calling WriteHeader.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(d.Hosts) > 0 && !slices.ContainsFunc(d.Hosts, func(h string) bool { return strings.EqualFold(h, r.Host) }) {
			http.Error(w, "This simulator answers only to its own address: use "+d.Hosts[0]+".", http.StatusMisdirectedRequest)
			return
		}
		p := r.URL.Path
		if strings.HasPrefix(p, "/desk") || strings.HasPrefix(p, "/deliveries") || strings.HasPrefix(p, "/static/") {
			pages.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// hideTokenSignaturesUnless has the simulator's delivery log JSON show
// callback tokens without their signatures to people whose role lacks perm.
func hideTokenSignaturesUnless(perm accounts.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !principal(c).Can(perm) {
			c.Request = c.Request.WithContext(simulator.WithoutTokenSignatures(c.Request.Context()))
		}
		c.Next()
	}
}

// sameOrigin refuses a form posted from another site. It compares the
// request's Origin with the simulator's own origins, never with its Host:
// a site whose name was rebound to this address sends its own name as both,
// and its browser calls the request same-origin.
func sameOrigin(own []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		ok := origin != "" && slices.Contains(own, origin)
		if origin == "" {
			// A browser that sends no Origin still says where the request
			// came from; the Host then has to be one of ours too.
			ok = c.GetHeader("Sec-Fetch-Site") == "same-origin" && slices.Contains(own, "http://"+c.Request.Host)
		}
		if !ok {
			c.AbortWithStatusJSON(http.StatusForbidden, asyncReply{Error: "Only the simulator's own pages may do this."})
			return
		}
		c.Next()
	}
}
