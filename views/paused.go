package views

import (
	"context"
	"time"
)

// DeliveryPause is the simulator's callback delivery held back: who paused
// it and when, for the banner every page shows while it lasts.
type DeliveryPause struct {
	By string // empty when the audit trail does not say
	At time.Time
}

type deliveryPauseKey struct{}

// WithDeliveryPause tells every component of the page that delivery is paused.
func WithDeliveryPause(ctx context.Context, p DeliveryPause) context.Context {
	return context.WithValue(ctx, deliveryPauseKey{}, p)
}

// DeliveryPauseFrom reports whether delivery is paused, and since when.
func DeliveryPauseFrom(ctx context.Context) (DeliveryPause, bool) {
	p, ok := ctx.Value(deliveryPauseKey{}).(DeliveryPause)
	return p, ok
}
