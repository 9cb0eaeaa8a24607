package conversation

import (
	"strings"

	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/internal/readable"
)

// previewChars bounds an event's preview: the first words, not the message.
const previewChars = 60

// eventPreview says in a few words what a callback carried, for its row in
// the event timeline: a message's first words, who joined, where a
// transfer went, a status and its message.
func eventPreview(payload string) string {
	cb, err := alvaria.ParseCallback([]byte(payload))
	if err != nil {
		return "unreadable body"
	}
	switch c := cb.(type) {
	case *alvaria.NewSessionCallback:
		return joinNonEmpty(c.Status, c.StatusMessage)
	case *alvaria.AgentJoinedCallback:
		return c.AgentAlias + " joined"
	case *alvaria.SessionRerouteCallback:
		switch {
		case c.AgentAlias != "":
			return "to agent " + c.AgentAlias
		case c.WorktypeID != "":
			return "to work type " + string(c.WorktypeID)
		}
		return "transferred"
	case *alvaria.SessionEndCallback:
		return joinNonEmpty(c.Status, "from "+strings.ToLower(string(c.From)))
	case *alvaria.MessageCallback:
		parts := []string{readable.Clip(strings.Join(strings.Fields(c.Message.Text), " "), previewChars)}
		if a := c.Message.Attachment; a != nil {
			parts = append(parts, "["+a.Type+"]")
		}
		return c.SenderID + ": " + strings.TrimSpace(strings.Join(parts, " "))
	case *alvaria.MessageStatusCallback:
		return joinNonEmpty(c.Status, c.StatusMessage)
	}
	return ""
}

func joinNonEmpty(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && p != "from" {
			kept = append(kept, p)
		}
	}
	return readable.Clip(strings.Join(kept, " · "), previewChars)
}
