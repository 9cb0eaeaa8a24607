// Package live tells open browsers that something they show has changed.
//
// A notice is only a poke naming what changed; the websocket handler then
// reads the change from the store and renders it. Notices this small travel
// as well between processes: on SQLite the in-process Hub carries them, and
// on Postgres the PGBroker's LISTEN/NOTIFY, so several Parley instances can
// serve the same sessions.
package live

import (
	"context"
	"strconv"
)

// Topics.
const (
	// TopicSessions is told about every session whose list row changed.
	TopicSessions = "sessions"
	// TopicSignIns is told the id of each user whose sign-ins ended or
	// changed (signed out, disabled, password reset, role changed): their
	// open websockets check their sign-in again and close if it is gone.
	TopicSignIns = "sign-ins"
)

// TopicRuns is told about every conversation-test run that changed; the
// key is the run's test id.
const TopicRuns = "runs"

// RunTopic is the topic of one run's page, and of its steps.
func RunTopic(runID int64) string { return "run:" + strconv.FormatInt(runID, 10) }

// SessionTopic is the topic of one session's page.
func SessionTopic(sessionID string) string { return "session:" + sessionID }

// Broker fans notices out to subscribers.
type Broker interface {
	// Publish never blocks on a subscriber.
	Publish(ctx context.Context, topic, key string) error
	Subscribe(topic string) *Subscription
}

// Notice is one poke: Key changed, told to the subscribers of Topic.
type Notice struct{ Topic, Key string }

// TxBroker is a Broker whose notices to other instances can be sent inside
// the database transaction that makes the change: Postgres delivers a
// NOTIFY at commit, and not at all on rollback, so a page is never told of
// a change it cannot read yet and the commit costs no extra round trip.
type TxBroker interface {
	Broker
	// NotifyPayloads returns the NOTIFY channel and payloads for notices.
	NotifyPayloads(notices ...Notice) (channel string, payloads []string)
	// PublishLocal tells this instance's subscribers, after the commit.
	PublishLocal(ctx context.Context, notices ...Notice)
}
