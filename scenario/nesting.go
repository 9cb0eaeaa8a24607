package scenario

import "fmt"

// maxNesting bounds how deeply a script nests lists and mappings on one
// line. A scenario needs three levels at most; the YAML parser takes time
// that grows with the square of the depth, so a few hundred kilobytes of
// "[[[[" would hold a CPU for a minute.
const maxNesting = 16

// checkNesting refuses, before the YAML parser sees it, a script nested
// deeper than maxNesting in flow collections ([ and {) or in block
// sequences opened on one line ("- - - x"). It reads quotes and comments
// well enough not to count brackets inside them.
func checkNesting(data []byte) *Problem {
	line, col, depth := 1, 0, 0
	var quote byte
	comment, lineStart, dashes := false, true, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		if c == '\n' {
			// Quoted scalars may span lines, so the quote stays open.
			line, col, comment, lineStart, dashes = line+1, 0, false, true, 0
			continue
		}
		switch {
		case comment:
			continue
		case quote == '"':
			if c == '\\' {
				i++
				col++
			} else if c == '"' {
				quote = 0
			}
			continue
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '#':
			comment = true
		case '[', '{':
			depth++
		case ']', '}':
			depth = max(depth-1, 0)
		case '-':
			if lineStart && (i+1 == len(data) || data[i+1] == ' ') {
				dashes++
			}
		}
		if c != ' ' && c != '-' {
			lineStart = false
		}
		if depth > maxNesting || dashes > maxNesting {
			return &Problem{Line: line, Column: col, Message: fmt.Sprintf("the scenario nests more than %d levels deep here; a scenario needs three", maxNesting)}
		}
	}
	return nil
}
