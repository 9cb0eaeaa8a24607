package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/accounts"
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

func (k *desk) deliveriesData(wholeTokens bool) views.DeliveriesPageData {
	attempts := k.Simulator.Deliveries()
	if !wholeTokens {
		for i := range attempts {
			attempts[i] = attempts[i].WithoutSignature()
		}
	}
	return views.DeliveriesPageData{Page: k.page("Deliveries", "deliveries"), Prefix: k.Prefix, Attempts: attempts,
		Paused: k.Simulator.DeliveryPaused(), Now: time.Now()}
}

func (k *desk) wholeTokens(c *gin.Context) bool { return k.WholeTokens == nil || k.WholeTokens(c) }

func (k *desk) deliveries(c *gin.Context) {
	k.render(c, http.StatusOK, views.DeliveriesPage(k.deliveriesData(k.wholeTokens(c))))
}

func (k *desk) deliveriesLive(c *gin.Context) {
	whole := k.wholeTokens(c)
	k.stream(c, simulator.DeliveriesKey, func(ctx context.Context) ([]item, error) {
		html, err := renderHTML(ctx, views.DeliveriesBody(k.deliveriesData(whole)))
		return []item{{ID: "deliveries", HTML: html}}, err
	})
}

// deliveryAct runs one delivery action and records it when it happened;
// the target is the event redelivered, if any.
func (k *desk) deliveryAct(action string, fn func(c *gin.Context) (target string, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		target, err := fn(c)
		if err == nil {
			k.audit(c, action, target, "")
		}
		k.answer(c, err, k.Prefix+"/deliveries")
	}
}
