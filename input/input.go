// Package input holds the one error type the services return for input
// people got wrong. It is its own package so that conversation, accounts
// and handlers share it without importing each other.
package input

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Error lists what is wrong with an input, field by field. Fields are named
// as the service names them ("contactName", "workTypeId"), never as an HTML
// form does; the handlers' forms translate.
type Error struct {
	Fields map[string]string // service field → problem, a sentence for people
}

// Invalid is an Error about one field.
func Invalid(field, problem string) *Error {
	return &Error{Fields: map[string]string{field: Sentence(problem)}}
}

// Add records a problem with field; the first problem of a field stays.
func (e *Error) Add(field, problem string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = Sentence(problem)
	}
}

// Err returns e when it holds a problem, and nil otherwise.
func (e *Error) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Error names every problem, in field order, so the same input always gives
// the same message.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return "invalid input"
	}
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, f := range names {
		parts[i] = f + ": " + e.Fields[f]
	}
	return strings.Join(parts, "; ")
}

// Day reads a day written as 2026-11-24 from field; empty is no day. The
// session list and the audit trail filter by it.
func Day(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, Invalid(field, fmt.Sprintf("%q is not a date like 2026-11-24", v))
	}
	return t, nil
}

// Sentence starts a problem with a capital letter, as people write.
func Sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
