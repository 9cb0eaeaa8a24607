package conversation

import (
	"strings"
	"testing"
)

func TestEventPreviewSaysWhatACallbackCarried(t *testing.T) {
	long := strings.Repeat("word ", 40)
	for payload, want := range map[string]string{
		`{"event":"MESSAGE","sessionId":"s","eventId":"e","senderId":"Lucia","message":{"text":"Hello   there,\nhow can I help?"}}`:              "Lucia: Hello there, how can I help?",
		`{"event":"MESSAGE","sessionId":"s","eventId":"e","senderId":"Lucia","message":{"text":"` + long + `"}}`:                                 "Lucia: " + strings.Repeat("word ", 11) + "word…",
		`{"event":"MESSAGE","sessionId":"s","eventId":"e","senderId":"Lucia","message":{"attachment":{"type":"Image","url":"https://x/y.png"}}}`: "Lucia: [Image]",
		`{"event":"AGENT_JOINED","sessionId":"s","eventId":"e","agentAlias":"Omar"}`:                                                             "Omar joined",
		`{"event":"SESSION_REROUTE","sessionId":"s","eventId":"e","worktypeId":"45"}`:                                                            "to work type 45",
		`{"event":"SESSION_REROUTE","sessionId":"s","eventId":"e","agentAlias":"Rita"}`:                                                          "to agent Rita",
		`{"event":"NEW_SESSION","sessionId":"s","eventId":"e","status":"FAILED","statusMessage":"Unknown work type"}`:                            "FAILED · Unknown work type",
		`{"event":"SESSION_END","sessionId":"s","eventId":"e","status":"SUCCESS","from":"SYSTEM"}`:                                               "SUCCESS · from system",
		`{"event":"MESSAGE_STATUS","sessionId":"s","eventId":"e","messageId":"m","status":"FAILED","statusMessage":"Undeliverable"}`:             "FAILED · Undeliverable",
		`not json`: "unreadable body",
	} {
		if got := eventPreview(payload); got != want {
			t.Errorf("preview of %.60s… = %q, want %q", payload, got, want)
		}
	}
}
