package alvaria

import (
	"strconv"
	"unicode/utf8"
)

// Longest values, in characters, that Parley sends and its simulator
// accepts. The API document states no limits, but every real service has
// them; these are generous for their purpose and keep one request from
// holding megabytes in the simulator's memory.
const (
	MaxWorkTypeIDChars    = 64
	MaxContactNameChars   = 256
	MaxIntegrationChars   = 64
	MaxTextChars          = 4096
	MaxAttachmentURLChars = 2048
	MaxSessionIDChars     = 128
)

// bounded is a request field with its longest allowed value.
type bounded struct {
	field string
	value string
	max   int
}

// tooLong reports the first field longer than its limit as a
// *ValidationError, or nil when all fit.
func tooLong(fields ...bounded) error {
	for _, f := range fields {
		if utf8.RuneCountInString(f.value) > f.max {
			return &ValidationError{Field: f.field, Problem: "must be at most " + strconv.Itoa(f.max) + " characters"}
		}
	}
	return nil
}
