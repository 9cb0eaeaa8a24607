// Package scenario is the format of a conversation test: a YAML script of
// what the customer says and what the contact center must answer. It parses
// and checks scripts, naming every problem with its line and column, and
// writes conversations back as scripts. It knows nothing of how they run.
package scenario

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout is how long an expectation waits when neither the step nor
// the scenario says.
const DefaultTimeout = 30 * time.Second

// Limits that keep one script from holding a run, or the server, forever.
const (
	MaxBytes    = 256 << 10
	MaxSteps    = 500
	MaxDuration = 4 * time.Hour // an Alvaria session lives no longer
	MaxNameLen  = 200
	// MaxConnectionLen bounds the connection key, as Parley bounds names.
	MaxConnectionLen = 100
)

// Scenario is one conversation test.
type Scenario struct {
	Name        string
	WorkTypeID  string
	ContactName string // may hold {{run}} and {{date}}
	Integration string
	// Connection names the connection to run on, by slug or name; empty
	// is the default one.
	Connection string
	Timeout    time.Duration // default wait of each expectation
	// Steps start with the implied expectation that the session starts,
	// unless the script begins with session_started or session_failed.
	Steps []Step
}

// Action is what a step does.
type Action string

// The actions a step can take.
const (
	ActionSay    Action = "say"
	ActionAttach Action = "attach"
	ActionExpect Action = "expect"
	ActionWait   Action = "wait"
	ActionEnd    Action = "end"
)

// Expectation is the callback a step waits for.
type Expectation string

// The expectations, each met by one kind of callback.
const (
	SessionStarted Expectation = "session_started" // NEW_SESSION SUCCESS
	SessionFailed  Expectation = "session_failed"  // NEW_SESSION FAILED
	AgentJoined    Expectation = "agent_joined"    // AGENT_JOINED
	AgentMessage   Expectation = "agent_message"   // MESSAGE from the agent or the system
	Rerouted       Expectation = "rerouted"        // SESSION_REROUTE
	MessageFailed  Expectation = "message_failed"  // MESSAGE_STATUS FAILED for the last message sent
	SessionEnded   Expectation = "session_ended"   // SESSION_END
)

// Expectations lists every expectation, in the order the help shows them.
var Expectations = []Expectation{SessionStarted, SessionFailed, AgentJoined, AgentMessage, Rerouted, MessageFailed, SessionEnded}

// Step is one line of the script.
type Step struct {
	// Number is the step's place in the script, from 1; the implied first
	// expectation is number 0.
	Number int
	// Line and Column locate the step in the script; 0 for the implied one.
	Line, Column int
	Action       Action

	Text           string // say, and attach's optional text
	AttachmentType string // attach
	AttachmentURL  string // attach

	Expect Expectation
	// At most one of these checks the text of an agent_message, or the
	// statusMessage of session_failed.
	Contains string
	Equals   string
	Matches  *regexp.Regexp
	// rerouted: the target, when the script names one.
	WorkTypeID string
	AgentAlias string
	// Within bounds this expectation's wait; 0 takes the scenario's timeout.
	Within time.Duration

	Wait time.Duration // wait
}

// Implied reports whether the script did not write this step.
func (s Step) Implied() bool { return s.Line == 0 }

// Deadline is how long the step may wait for its callback.
func (s Step) Deadline(sc *Scenario) time.Duration {
	if s.Within > 0 {
		return s.Within
	}
	return sc.Timeout
}

// String writes the step as a person reads it in a report:
// `say "Where is my order?"`, `expect agent_message contains "help"`.
func (s Step) String() string {
	switch s.Action {
	case ActionSay:
		return "say " + strconv.Quote(s.Text)
	case ActionAttach:
		out := "attach " + s.AttachmentType + " " + s.AttachmentURL
		if s.Text != "" {
			out += " with text " + strconv.Quote(s.Text)
		}
		return out
	case ActionWait:
		return "wait " + s.Wait.String()
	case ActionEnd:
		return "end the session"
	}
	parts := []string{"expect " + string(s.Expect)}
	if s.Implied() {
		parts = append(parts, "(implied)")
	}
	if d := s.TextCheck(); d != "" {
		parts = append(parts, d)
	}
	if s.WorkTypeID != "" {
		parts = append(parts, "to work type "+strconv.Quote(s.WorkTypeID))
	}
	if s.AgentAlias != "" {
		parts = append(parts, "to agent "+strconv.Quote(s.AgentAlias))
	}
	if s.Within > 0 {
		parts = append(parts, "within "+s.Within.String())
	}
	return strings.Join(parts, " ")
}

// TextCheck says what the step requires of a text, or "" when nothing.
func (s Step) TextCheck() string {
	switch {
	case s.Contains != "":
		return "contains " + strconv.Quote(s.Contains)
	case s.Equals != "":
		return "equals " + strconv.Quote(s.Equals)
	case s.Matches != nil:
		return "matches " + strconv.Quote(s.Matches.String())
	}
	return ""
}

// TextMatches reports whether text meets the step's text check.
func (s Step) TextMatches(text string) bool {
	switch {
	case s.Contains != "":
		return strings.Contains(text, s.Contains)
	case s.Equals != "":
		return text == s.Equals
	case s.Matches != nil:
		return s.Matches.MatchString(text)
	}
	return true
}

// ContactNameFor fills the contact name's {{run}} with the run's number and
// {{date}} with the day, so each run can be found in the sessions list.
func (sc *Scenario) ContactNameFor(run int64, day time.Time) string {
	return strings.NewReplacer("{{run}}", strconv.FormatInt(run, 10), "{{date}}", day.Format(time.DateOnly)).Replace(sc.ContactName)
}

// Problem is one thing wrong with a script, where it is.
type Problem struct {
	Line, Column int
	Message      string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, p.Message)
}

// Error is every problem of a script that cannot run, in the order they
// stand in the script.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "the scenario is not valid: " + strings.Join(lines, "; ")
}
