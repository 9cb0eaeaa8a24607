package simulator

import "context"

// ChangesTopic is the live topic the simulator publishes its changes on.
// A notice's key is the id of the session that changed, or DeliveriesKey.
const ChangesTopic = "simulator"

// DeliveriesKey is the key of a change to the delivery log or its pause.
const DeliveriesKey = "deliveries"

// Publisher carries the simulator's change notices to the pages that show
// it; live.Broker is one. Publish must not block on a reader: it is called
// with the simulator's state locked.
type Publisher interface {
	Publish(ctx context.Context, topic, key string) error
}

// changed tells the pages that key changed.
func (s *Simulator) changed(key string) {
	if s.cfg.Live == nil {
		return
	}
	if err := s.cfg.Live.Publish(s.ctx, ChangesTopic, key); err != nil {
		s.cfg.Log.Warn("tell the desk of a change", "key", key, "err", err)
	}
}
