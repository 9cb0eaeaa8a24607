package runs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// maxArrivals is how many non-matching callbacks a failure lists.
const maxArrivals = 5

// verdict is what one callback means for the expectation waiting.
type verdict int

const (
	unrelated verdict = iota // not what it waits for; keep waiting
	met                      // the expectation is met
	defeated                 // it can no longer be met (the session ended, say)
)

// maxPending bounds the callbacks a run keeps unmatched between actions:
// an agent may talk for hours while a step waits.
const maxPending = 1000

// expect waits for the callback the step describes. It looks first at the
// callbacks that arrived since the last action and no expectation has
// taken, then at each one stored after them, whenever the session's topic
// says something changed: waiting is event-driven, and a notice lost
// between instances is made up by the read at the deadline. A callback an
// expectation passes over stays for the next one, since Alvaria's
// callbacks may arrive out of order (a greeting before AGENT_JOINED).
func (x *execution) expect(ctx context.Context, step scenario.Step) error {
	deadline := time.NewTimer(step.Deadline(x.sc))
	defer deadline.Stop()
	check := func() (bool, *arrivals, error) {
		events, err := x.svc.store.ListEventsOfAlvariaSession(ctx, x.session.AlvariaSessionID, x.cursor)
		if err != nil {
			return false, nil, err
		}
		for _, ev := range events {
			x.cursor = ev.ID
			x.pending = append(x.pending, ev)
		}
		if over := len(x.pending) - maxPending; over > 0 {
			x.pending = append(x.pending[:0], x.pending[over:]...)
		}
		var arrived arrivals
		for i, ev := range x.pending {
			v, what := x.judge(step, ev)
			switch v {
			case met:
				x.pending = append(x.pending[:i], x.pending[i+1:]...)
				return true, nil, nil
			case defeated:
				return false, nil, &stepFailure{expected: step.String(), got: what}
			}
			if what != "" {
				arrived.add(what)
			}
		}
		return false, &arrived, nil
	}
	for {
		done, _, err := check()
		if done || err != nil {
			return err
		}
		select {
		case <-x.watch.Ready():
			x.watch.Take()
		case <-deadline.C:
			done, arrived, err := check()
			if done || err != nil {
				return err
			}
			return &stepFailure{expected: step.String(), got: arrived.nothingMatched(step.Deadline(x.sc))}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// arrivals are the callbacks that did not meet an expectation: the last
// maxArrivals as described, and how many there were in all. An expectation
// may wait for hours while an agent talks on, so not every one is kept.
type arrivals struct {
	last  []string
	count int
}

func (a *arrivals) add(what string) {
	a.count++
	if len(a.last) == maxArrivals {
		a.last = append(a.last[:0], a.last[1:]...)
	}
	a.last = append(a.last, what)
}

// nothingMatched says what arrived instead of the expected callback.
func (a *arrivals) nothingMatched(waited time.Duration) string {
	if a.count == 0 {
		return fmt.Sprintf("nothing arrived in %s", waited)
	}
	more := ""
	if a.count > len(a.last) {
		more = fmt.Sprintf(" (and %d before)", a.count-len(a.last))
	}
	return fmt.Sprintf("in %s only this arrived%s: %s", waited, more, strings.Join(a.last, "; "))
}

// judge tells whether a callback meets the step's expectation, and
// describes it for the report when it does not.
func (x *execution) judge(step scenario.Step, ev store.CallbackEvent) (verdict, string) {
	cb, err := alvaria.ParseCallback([]byte(ev.Payload))
	if err != nil {
		return unrelated, "a callback Parley could not read (" + err.Error() + ")"
	}
	switch c := cb.(type) {
	case *alvaria.NewSessionCallback:
		return judgeNewSession(step, c)
	case *alvaria.AgentJoinedCallback:
		if step.Expect == scenario.AgentJoined {
			return met, ""
		}
		return unrelated, fmt.Sprintf("agent %s joined", quoteShort(c.AgentAlias))
	case *alvaria.MessageCallback:
		text := c.Message.Text
		if a := c.Message.Attachment; a != nil && text == "" {
			text = a.Type + " " + a.URL
		}
		if step.Expect == scenario.AgentMessage && step.TextMatches(text) {
			return met, ""
		}
		return unrelated, fmt.Sprintf("%s said %s", senderName(c.SenderID), quoteShort(text))
	case *alvaria.SessionRerouteCallback:
		target := "transferred"
		switch {
		case c.WorktypeID != "":
			target = "transferred to work type " + quoteShort(string(c.WorktypeID))
		case c.AgentAlias != "":
			target = "transferred to agent " + quoteShort(c.AgentAlias)
		}
		if step.Expect == scenario.Rerouted &&
			(step.WorkTypeID == "" || step.WorkTypeID == string(c.WorktypeID)) &&
			(step.AgentAlias == "" || step.AgentAlias == c.AgentAlias) {
			return met, ""
		}
		return unrelated, target
	case *alvaria.MessageStatusCallback:
		what := fmt.Sprintf("message %s was reported %s (%s)", c.MessageID, c.Status, quoteShort(c.StatusMessage))
		if step.Expect == scenario.MessageFailed && c.Status == alvaria.StatusFailed && (x.lastSent == "" || c.MessageID == x.lastSent) {
			return met, ""
		}
		return unrelated, what
	case *alvaria.SessionEndCallback:
		what := "the session ended"
		if c.From != "" {
			what += " (from " + c.From + ")"
		}
		if c.Status == alvaria.StatusFailed {
			return unrelated, "Alvaria reported that ending the session failed"
		}
		if step.Expect == scenario.SessionEnded {
			return met, ""
		}
		return defeated, what
	}
	return unrelated, "a " + cb.CallbackEvent() + " callback"
}

func judgeNewSession(step scenario.Step, c *alvaria.NewSessionCallback) (verdict, string) {
	failed := c.Status == alvaria.StatusFailed
	switch {
	case step.Expect == scenario.SessionStarted && !failed:
		return met, ""
	case step.Expect == scenario.SessionFailed && failed && step.TextMatches(c.StatusMessage):
		return met, ""
	case step.Expect == scenario.SessionFailed && failed:
		return defeated, "the session failed to start with " + quoteShort(c.StatusMessage)
	case step.Expect == scenario.SessionFailed:
		return defeated, "the session started"
	case failed:
		return defeated, "the session failed to start: " + quoteShort(c.StatusMessage)
	}
	return unrelated, "the session started"
}

func senderName(senderID string) string {
	if senderID == alvaria.SenderSystem {
		return "the system"
	}
	return "the agent"
}

// quoteShort quotes text for a report people read, shortened to keep it
// readable. Only line breaks are escaped: escaped quotes would make the
// agent's words harder to compare with what the script expects.
func quoteShort(s string) string {
	const max = 120
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}
