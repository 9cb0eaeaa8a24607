package conversation

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/input"
)

// Limits on what a person types, in characters, are alvaria's: the same
// as the simulator's, so input Parley takes is input Alvaria takes.
const (
	maxWorkTypeIDChars    = alvaria.MaxWorkTypeIDChars
	maxContactNameChars   = alvaria.MaxContactNameChars
	maxIntegrationChars   = alvaria.MaxIntegrationChars
	maxTextChars          = alvaria.MaxTextChars
	maxAttachmentURLChars = alvaria.MaxAttachmentURLChars
)

// textField is one typed value to check before anything is sent.
type textField struct {
	name      string // the service's field name, e.g. "contactName"
	value     string
	max       int  // characters
	multiline bool // line breaks and tabs allowed
}

// checkText refuses, naming the first bad field, text that Alvaria or the
// database could not take faithfully: invalid UTF-8, NUL and other control
// characters, or more than the field's limit. Checked before Alvaria is
// called, so a refusal never leaves a session or message half made.
func checkText(fields ...textField) error {
	for _, f := range fields {
		if problem := textProblem(f); problem != "" {
			return input.Invalid(f.name, fieldLabel(f.name)+" "+problem)
		}
	}
	return nil
}

func textProblem(f textField) string {
	if !utf8.ValidString(f.value) {
		return "contains bytes that are not text (invalid UTF-8)"
	}
	bad := strings.IndexFunc(f.value, func(r rune) bool {
		if f.multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r)
	})
	if bad >= 0 {
		return fmt.Sprintf("contains a control character (%U)", []rune(f.value[bad:])[0])
	}
	if n := utf8.RuneCountInString(f.value); n > f.max {
		return fmt.Sprintf("is %d characters long; at most %d are allowed", n, f.max)
	}
	return ""
}

// fieldLabels name the service's fields as people read them.
var fieldLabels = map[string]string{
	"workTypeId":     "Work type ID",
	"contactName":    "Contact name",
	"integration":    "Integration",
	"text":           "Text",
	"attachmentType": "Attachment type",
	"attachmentUrl":  "Attachment URL",
}

func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}
