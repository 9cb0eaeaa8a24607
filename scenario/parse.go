package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/parley-dev/parley/alvaria"
)

// Parse reads a script and checks all of it before anything can run. The
// error, an *Error, names every problem with its line and column.
//
// It walks the YAML syntax tree rather than decoding into structs, because
// that is what knows where each value stands, and a step written with two
// actions or an unknown key is a mistake to name, not to ignore.
func Parse(data []byte) (*Scenario, error) {
	if len(data) > MaxBytes {
		return nil, &Error{Problems: []Problem{{Message: fmt.Sprintf("the scenario is %d bytes long; at most %d are allowed", len(data), MaxBytes)}}}
	}
	if !utf8.Valid(data) {
		return nil, &Error{Problems: []Problem{{Message: "the scenario is not UTF-8 text"}}}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		// YAML allows no NUL anywhere, and a database text column cannot
		// hold one; the parser lets it through in a comment.
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		column := i - bytes.LastIndexByte(data[:i], '\n')
		return nil, &Error{Problems: []Problem{{Line: line, Column: column, Message: "the scenario contains a NUL character"}}}
	}
	if p := checkNesting(data); p != nil {
		return nil, &Error{Problems: []Problem{*p}}
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, &Error{Problems: []Problem{syntaxProblem(err)}}
	}
	var docs []ast.Node
	for _, d := range file.Docs {
		if d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	if len(docs) != 1 {
		return nil, &Error{Problems: []Problem{{Line: 1, Column: 1, Message: fmt.Sprintf("a scenario file holds one YAML document; this one holds %d", len(docs))}}}
	}
	p := &parsing{sc: &Scenario{Timeout: DefaultTimeout}}
	p.scenario(docs[0])
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b Problem) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Column - b.Column
		})
		return nil, &Error{Problems: p.problems}
	}
	return p.sc, nil
}

// syntaxProblem turns the YAML parser's error into a Problem with its place.
func syntaxProblem(err error) Problem {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil {
		pos := yerr.GetToken().Position
		return Problem{Line: pos.Line, Column: pos.Column, Message: "YAML syntax: " + yerr.GetMessage()}
	}
	return Problem{Line: 1, Column: 1, Message: "YAML syntax: " + err.Error()}
}

type parsing struct {
	sc       *Scenario
	problems []Problem
	patterns int // program states of the matches patterns so far
}

func (p *parsing) fail(n ast.Node, format string, args ...any) {
	pr := Problem{Message: fmt.Sprintf(format, args...)}
	pr.Line, pr.Column = position(n)
	p.problems = append(p.problems, pr)
}

// position is where a node starts as a person sees it: a mapping at its
// first key, not at the parser's ':' token.
func position(n ast.Node) (line, column int) {
	switch m := n.(type) {
	case *ast.MappingValueNode:
		n = m.Key
	case *ast.MappingNode:
		if len(m.Values) > 0 {
			n = m.Values[0].Key
		}
	}
	if n == nil || n.GetToken() == nil {
		return 0, 0
	}
	return n.GetToken().Position.Line, n.GetToken().Position.Column
}

var scenarioKeys = []string{"name", "connection", "workTypeId", "contactName", "integration", "timeout", "steps"}

func (p *parsing) scenario(root ast.Node) {
	fields, ok := p.mapping(root, "the scenario")
	if !ok {
		return
	}
	seen := map[string]bool{}
	for _, f := range fields {
		key := f.Key.String()
		seen[key] = true
		switch key {
		case "name":
			p.sc.Name = p.text(f.Value, key, MaxNameLen)
		case "workTypeId":
			p.sc.WorkTypeID = p.text(f.Value, key, alvaria.MaxWorkTypeIDChars)
		case "contactName":
			p.sc.ContactName = p.text(f.Value, key, alvaria.MaxContactNameChars)
		case "integration":
			p.sc.Integration = p.text(f.Value, key, alvaria.MaxIntegrationChars)
		case "connection":
			p.sc.Connection = p.text(f.Value, key, MaxConnectionLen)
		case "timeout":
			p.sc.Timeout = p.duration(f.Value, key)
		case "steps":
			p.steps(f.Value)
		default:
			p.fail(f.Key, "%q is not a scenario field; use %s", key, strings.Join(scenarioKeys, ", "))
		}
	}
	for _, key := range []string{"name", "workTypeId", "contactName", "steps"} {
		if !seen[key] {
			p.fail(root, "the scenario needs %s", key)
		}
	}
}

func (p *parsing) steps(n ast.Node) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok || len(seq.Values) == 0 {
		p.fail(n, "steps must be a list of steps, each starting with \"- \"")
		return
	}
	if len(seq.Values) > MaxSteps {
		p.fail(n, "a scenario has at most %d steps; this one has %d", MaxSteps, len(seq.Values))
		return
	}
	for i, v := range seq.Values {
		if s, ok := p.step(v, i+1); ok {
			p.sc.Steps = append(p.sc.Steps, s)
		}
	}
	p.order(seq)
}

// order checks what only makes sense in one place: the session's start
// first, nothing said after the end. A script that does not begin with the
// start is given the implied one.
func (p *parsing) order(seq *ast.SequenceNode) {
	ended := false
	for i, s := range p.sc.Steps {
		node := seq.Values[s.Number-1]
		if s.Action == ActionExpect && (s.Expect == SessionStarted || s.Expect == SessionFailed) && i > 0 {
			p.fail(node, "step %d: %s can only be the first step", s.Number, s.Expect)
		}
		if ended && (s.Action == ActionSay || s.Action == ActionAttach || s.Action == ActionEnd) {
			p.fail(node, "step %d: the session has been ended by then; only expect session_ended or wait may follow end", s.Number)
		}
		if s.Action == ActionEnd {
			ended = true
		}
	}
	if len(p.sc.Steps) > 0 {
		first := p.sc.Steps[0]
		if first.Action != ActionExpect || (first.Expect != SessionStarted && first.Expect != SessionFailed) {
			p.sc.Steps = append([]Step{{Action: ActionExpect, Expect: SessionStarted}}, p.sc.Steps...)
		}
	}
}

var (
	actionKeys   = []string{string(ActionSay), string(ActionAttach), string(ActionExpect), string(ActionWait), string(ActionEnd)}
	modifierKeys = []string{"contains", "equals", "matches", "within", "workTypeId", "agentAlias"}
)

func (p *parsing) step(n ast.Node, number int) (Step, bool) {
	s := Step{Number: number}
	s.Line, s.Column = position(n)
	fields, ok := p.mapping(n, fmt.Sprintf("step %d", number))
	if !ok {
		return s, false
	}
	before := len(p.problems)
	where := fmt.Sprintf("step %d", number)
	var action *ast.MappingValueNode
	modifiers := map[string]*ast.MappingValueNode{}
	for _, f := range fields {
		key := f.Key.String()
		switch {
		case slices.Contains(actionKeys, key):
			if action != nil {
				p.fail(f.Key, "%s has two actions, %s and %s; write one per step", where, action.Key.String(), key)
				continue
			}
			action = f
		case slices.Contains(modifierKeys, key):
			modifiers[key] = f
		default:
			p.fail(f.Key, "%s: %q is not a step field; a step is one of %s, and an expect step may add %s",
				where, key, strings.Join(actionKeys, ", "), strings.Join(modifierKeys, ", "))
		}
	}
	if action == nil {
		p.fail(n, "%s has no action; write one of %s", where, strings.Join(actionKeys, ", "))
		return s, false
	}
	s.Action = Action(action.Key.String())
	switch s.Action {
	case ActionSay:
		s.Text = p.text(action.Value, "say", alvaria.MaxTextChars)
		if strings.TrimSpace(s.Text) == "" {
			p.fail(action.Value, "%s: say needs the text the customer writes", where)
		}
	case ActionAttach:
		p.attach(action.Value, &s, where)
	case ActionWait:
		s.Wait = p.duration(action.Value, "wait")
	case ActionEnd:
		if v, ok := scalar(action.Value); !ok || v != "true" {
			p.fail(action.Value, "%s: write end: true to end the session", where)
		}
	case ActionExpect:
		p.expect(action.Value, modifiers, &s, where)
	}
	if s.Action != ActionExpect {
		for key, f := range modifiers {
			p.fail(f.Key, "%s: %s applies only to expect steps", where, key)
		}
	}
	return s, len(p.problems) == before
}

func (p *parsing) attach(n ast.Node, s *Step, where string) {
	fields, ok := p.mapping(n, where+": attach")
	if !ok {
		return
	}
	for _, f := range fields {
		switch key := f.Key.String(); key {
		case "type":
			s.AttachmentType = p.text(f.Value, "type", 32)
		case "url":
			s.AttachmentURL = p.text(f.Value, "url", alvaria.MaxAttachmentURLChars)
		case "text":
			s.Text = p.text(f.Value, "text", alvaria.MaxTextChars)
		default:
			p.fail(f.Key, "%s: %q is not an attach field; use type, url and optionally text", where, key)
		}
	}
	a := alvaria.Attachment{Type: s.AttachmentType, URL: s.AttachmentURL}
	if err := a.Validate(); err != nil {
		var v *alvaria.ValidationError
		if errors.As(err, &v) {
			p.fail(n, "%s: attach %s %s", where, strings.TrimPrefix(v.Field, "attachment."), v.Problem)
		} else {
			p.fail(n, "%s: attach: %v", where, err)
		}
	}
}

// textChecks are the expectations whose text a step may check.
var textChecks = map[Expectation]string{AgentMessage: "the agent's text", SessionFailed: "the status message"}

func (p *parsing) expect(n ast.Node, modifiers map[string]*ast.MappingValueNode, s *Step, where string) {
	v, _ := scalar(n)
	s.Expect = Expectation(v)
	if !slices.Contains(Expectations, s.Expect) {
		names := make([]string, len(Expectations))
		for i, e := range Expectations {
			names[i] = string(e)
		}
		p.fail(n, "%s: %q is not an expectation; use %s", where, v, strings.Join(names, ", "))
		return
	}
	checks := 0
	for _, key := range []string{"contains", "equals", "matches"} {
		f := modifiers[key]
		if f == nil {
			continue
		}
		checks++
		if _, ok := textChecks[s.Expect]; !ok {
			p.fail(f.Key, "%s: %s applies to agent_message and session_failed, not %s", where, key, s.Expect)
			continue
		}
		value := p.text(f.Value, key, alvaria.MaxTextChars)
		switch key {
		case "contains":
			s.Contains = value
		case "equals":
			s.Equals = value
		case "matches":
			re, err := compilePattern(value, &p.patterns)
			if err != nil {
				p.fail(f.Value, "%s: matches %v", where, err)
				continue
			}
			s.Matches = re
		}
		if value == "" && key != "equals" {
			p.fail(f.Value, "%s: %s needs a text", where, key)
		}
	}
	if checks > 1 {
		p.fail(n, "%s: use one of contains, equals and matches, not %d", where, checks)
	}
	for _, key := range []string{"workTypeId", "agentAlias"} {
		f := modifiers[key]
		if f == nil {
			continue
		}
		if s.Expect != Rerouted {
			p.fail(f.Key, "%s: %s applies to rerouted, not %s", where, key, s.Expect)
			continue
		}
		if key == "workTypeId" {
			s.WorkTypeID = p.text(f.Value, key, alvaria.MaxWorkTypeIDChars)
		} else {
			s.AgentAlias = p.text(f.Value, key, 64)
		}
	}
	if f := modifiers["within"]; f != nil {
		s.Within = p.duration(f.Value, "within")
	}
}

// mapping returns the fields of a YAML mapping, or names what stands there
// instead. A one-field mapping parses as a lone MappingValueNode.
func (p *parsing) mapping(n ast.Node, what string) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	p.fail(n, "%s must be a mapping of fields (key: value)", what)
	return nil, false
}

// text reads a scalar as text, bounded in characters; numbers are taken as
// written, so workTypeId: 32 is "32".
func (p *parsing) text(n ast.Node, key string, maxChars int) string {
	v, ok := scalar(n)
	if !ok {
		p.fail(n, "%s must be a text value", key)
		return ""
	}
	if c := utf8.RuneCountInString(v); c > maxChars {
		p.fail(n, "%s is %d characters long; at most %d are allowed", key, c, maxChars)
	}
	if strings.ContainsRune(v, 0) {
		p.fail(n, "%s contains a NUL character", key)
	}
	return v
}

func (p *parsing) duration(n ast.Node, key string) time.Duration {
	v, ok := scalar(n)
	d, err := time.ParseDuration(v)
	switch {
	case !ok || err != nil:
		p.fail(n, "%s: %q is not a duration; write it like 20s, 1m30s or 500ms", key, v)
	case d <= 0:
		p.fail(n, "%s must be longer than zero", key)
	case d > MaxDuration:
		p.fail(n, "%s is %s; at most %s, the longest an Alvaria session lives", key, d, MaxDuration)
	}
	return d
}

// scalar gives a scalar node's value as written (quoted strings unquoted,
// block scalars joined), and false for anything that is not one.
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}
