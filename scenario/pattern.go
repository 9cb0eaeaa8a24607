package scenario

import (
	"fmt"
	"regexp"
	"regexp/syntax"
)

// Go's regular expressions run in linear time, but a short pattern can
// still stand for a huge program ("[a-z]{1,1000}" is a thousand states),
// and compiling and matching cost grow with it: 400 such patterns held a
// CPU for seven seconds at each save, each run and each step's match. So a
// pattern's size is bounded, and so is the sum over a scenario, before any
// of them is compiled.
const (
	// MaxPatternSize bounds one matches pattern, in program states.
	MaxPatternSize = 5000
	// MaxPatternsSize bounds the states of all of a scenario's patterns.
	MaxPatternsSize = 50000
)

// compilePattern compiles a matches pattern unless it, or the patterns
// before it (whose sizes add up in *spent), are too large.
func compilePattern(expr string, spent *int) (*regexp.Regexp, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("is not a Go regular expression: %w", err)
	}
	size := patternSize(re)
	if size > MaxPatternSize {
		return nil, fmt.Errorf("stands for about %d program states; at most %d are allowed (write fewer or smaller {n,m} repeats)", size, MaxPatternSize)
	}
	if *spent+size > MaxPatternsSize {
		return nil, fmt.Errorf("takes the scenario's patterns past %d program states together; write fewer or smaller ones", MaxPatternsSize)
	}
	*spent += size
	return regexp.Compile(expr)
}

// patternSize estimates from above how many program states re compiles to,
// without compiling it: a repeat costs its count times what it repeats.
func patternSize(re *syntax.Regexp) int {
	const limit = MaxPatternsSize + 1 // enough to refuse; keeps the sum small
	size := 1
	switch re.Op {
	case syntax.OpLiteral:
		size = len(re.Rune) + 1
	case syntax.OpRepeat:
		n := re.Max
		if n < 0 {
			n = re.Min
		}
		size = max(n, 1)*patternSize(re.Sub[0]) + 1
	default:
		for _, sub := range re.Sub {
			size += patternSize(sub)
		}
	}
	return min(size, limit)
}
