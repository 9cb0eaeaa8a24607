package handlers

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/internal/readable"
	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/views"
)

// DeliveryLog is what the deliveries page needs of the simulator.
type DeliveryLog interface {
	PauseDelivery()
	ResumeDelivery()
	DeliveryPaused() bool
	Redeliver(eventID string) error
	Deliveries() []simulator.DeliveryAttempt
	// Backlog is how many callbacks wait: while paused, the ones held.
	Backlog() int
	// PublicKey checks the tokens the log shows.
	PublicKey() *rsa.PublicKey
}

// deliveryRoutes adds the delivery log and its actions to the desk's groups.
func (k *desk) deliveryRoutes(view, act *gin.RouterGroup) {
	view.GET("/deliveries", k.deliveries)
	view.GET("/deliveries/live", k.deliveriesLive)
	act.POST("/deliveries/pause", k.deliveryAct(accounts.ActionDeliveryPause, func(*gin.Context) (string, error) { k.Simulator.PauseDelivery(); return "", nil }))
	act.POST("/deliveries/resume", k.deliveryAct(accounts.ActionDeliveryResume, func(*gin.Context) (string, error) { k.Simulator.ResumeDelivery(); return "", nil }))
	act.POST("/deliveries/:event/redeliver", k.deliveryAct(accounts.ActionDeliveryRedeliver, func(c *gin.Context) (string, error) {
		return c.Param("event"), k.Simulator.Redeliver(c.Param("event"))
	}))
}

func (k *desk) deliveriesData(wholeTokens bool, f simulator.DeliveryFilter) views.DeliveriesPageData {
	attempts, total := simulator.FilterDeliveries(k.Simulator.Deliveries(), f)
	contacts := map[string]string{}
	var sessions []views.DeliverySession
	for _, s := range k.Simulator.Sessions() {
		contacts[s.ID] = s.ContactName
		sessions = append(sessions, views.DeliverySession{ID: s.ID, Contact: s.ContactName})
	}
	rows := make([]views.DeliveryRow, len(attempts))
	for i, a := range attempts {
		if !wholeTokens {
			a = a.WithoutSignature()
		}
		rows[i] = views.DeliveryRow{Attempt: a, Contact: contacts[a.SessionID], Body: readable.JSON(a.Body)}
		if a.Token != "" {
			rows[i].Token = alvaria.InspectToken(a.Token, k.Simulator.PublicKey(), simulator.RedactedSignature)
		}
	}
	d := views.DeliveriesPageData{Page: k.page("Deliveries", "deliveries"), Prefix: k.Prefix, Rows: rows, Total: total,
		Filter: f, Sessions: sessions, Paused: k.Simulator.DeliveryPaused(), Now: time.Now()}
	if d.Paused {
		d.Held = k.Simulator.Backlog()
	}
	return d
}

func (k *desk) wholeTokens(c *gin.Context) bool { return k.WholeTokens == nil || k.WholeTokens(c) }

// deliveriesFilter reads the log's filter and page from the address; a
// status it does not know is refused by name.
func deliveriesFilter(c *gin.Context) (simulator.DeliveryFilter, error) {
	f := simulator.DeliveryFilter{SessionID: c.Query("session"), Event: c.Query("event"), Status: c.Query("status"), PerPage: deliveriesPerPage}
	if f.Status != "" && f.Status != simulator.DeliveryDelivered && f.Status != simulator.DeliveryFailing {
		return f, input.Invalid("status", fmt.Sprintf("there is no delivery status %.40q; choose delivered or failing", f.Status))
	}
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return f, input.Invalid("page", fmt.Sprintf("page %.20q is not a page number", p))
		}
		f.Page = n
	}
	return f, nil
}

// deliveriesPerPage is how many attempts one page of the log shows.
const deliveriesPerPage = 50

func (k *desk) deliveries(c *gin.Context) {
	f, err := deliveriesFilter(c)
	if err != nil {
		k.deskError(c, err)
		return
	}
	k.render(c, http.StatusOK, views.DeliveriesPage(k.deliveriesData(k.wholeTokens(c), f)))
}

func (k *desk) deliveriesLive(c *gin.Context) {
	whole := k.wholeTokens(c)
	f, err := deliveriesFilter(c)
	if err != nil {
		k.deskError(c, err)
		return
	}
	k.stream(c, simulator.DeliveriesKey, func(ctx context.Context) ([]item, error) {
		html, err := renderHTML(ctx, views.DeliveriesBody(k.deliveriesData(whole, f)))
		return []item{{ID: "deliveries", HTML: html}}, err
	})
}

func (k *desk) deliveryAct(action string, fn func(c *gin.Context) (target string, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		target, err := fn(c)
		if err == nil {
			k.audit(c, action, target, "")
		}
		k.answer(c, err, k.Prefix+"/deliveries")
	}
}
