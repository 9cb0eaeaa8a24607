package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parley-dev/parley/handlers"
)

// The JUnit XML that CI systems read: a testsuite per scenario file, a
// testcase per run; a failed run has a <failure> naming the step, an
// errored one an <error>.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnitFile(path string, results []fileResult) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write JUnit results: %w", err)
	}
	if err := writeJUnit(f, results); err != nil {
		f.Close()
		return fmt.Errorf("write JUnit results to %s: %w", path, err)
	}
	return f.Close()
}

// writeJUnit writes results as JUnit XML.
func writeJUnit(w io.Writer, results []fileResult) error {
	all := junitSuites{Name: "parley test run"}
	var allTime time.Duration
	for _, f := range results {
		suite := junitSuite{Name: f.File}
		var suiteTime time.Duration
		for _, r := range f.Runs {
			took := span(r.StartedAt, r.FinishedAt)
			suiteTime += took
			tc := junitCase{Name: fmt.Sprintf("%s (run %d)", r.Name, r.ID), Classname: f.File, Time: junitSeconds(took)}
			if r.SessionID != "" {
				tc.SystemOut = "session " + r.SessionID
			}
			switch r.Status {
			case runPassed:
			case runFailed:
				tc.Failure = junitFailure(r)
				suite.Failures++
			default:
				tc.Error = &junitProblem{Message: r.Reason, Type: r.Status, Text: r.Reason}
				suite.Errors++
			}
			suite.Cases = append(suite.Cases, tc)
		}
		suite.Tests, suite.Time = len(suite.Cases), junitSeconds(suiteTime)
		all.Tests += suite.Tests
		all.Failures += suite.Failures
		all.Errors += suite.Errors
		allTime += suiteTime
		all.Suites = append(all.Suites, suite)
	}
	all.Time = junitSeconds(allTime)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitFailure names the failed step, what it expected and what arrived.
func junitFailure(r handlers.APIRun) *junitProblem {
	p := &junitProblem{Message: r.Reason, Type: "failed", Text: r.Reason}
	for _, s := range r.Steps {
		if s.Status != stepFailed {
			continue
		}
		p.Message = fmt.Sprintf("step %d: %s", s.Number, s.Description)
		var b strings.Builder
		fmt.Fprintf(&b, "step %d (line %d): %s\n", s.Number, s.Line, s.Description)
		fmt.Fprintf(&b, "expected: %s\n", s.Expected)
		fmt.Fprintf(&b, "got: %s\n", s.Got)
		if r.Reason != "" {
			b.WriteString(r.Reason + "\n")
		}
		p.Text = b.String()
		break
	}
	return p
}

func junitSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
