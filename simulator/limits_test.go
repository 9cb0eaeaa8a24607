package simulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-dev/parley/alvaria"
)

// TestInputsAreBounded checks that every field the API accepts has a length
// limit, answered as Alvaria answers bad input: 400 naming the field.
func TestInputsAreBounded(t *testing.T) {
	h := newHarness(t, quick())
	tok := h.token(t)
	sessionID, _ := h.start(t)
	str := func(n int) string { return strings.Repeat("é", n) }
	url := func(n int) string { return "https://x.example/" + strings.Repeat("a", n-len("https://x.example/")) }
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	session := func(workType, contact, integration string) string {
		return js(map[string]string{"workTypeId": workType, "contactName": contact, "integration": integration})
	}
	message := func(text, attURL string) string {
		m := map[string]any{"text": text}
		if attURL != "" {
			m["attachment"] = map[string]string{"type": "Image", "url": attURL}
		}
		return js(m)
	}
	withSession := with(apiHeaders(tok), alvaria.HeaderSessionID, sessionID)
	tests := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		body    string
		scope   string // empty: accepted (202)
	}{
		{"contact name at the limit", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session("32", str(alvaria.MaxContactNameChars), "SMS"), ""},
		{"contact name too long", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session("32", str(alvaria.MaxContactNameChars+1), "SMS"), "contactName"},
		{"contact name of 1 MB", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session("32", strings.Repeat("a", 1<<20-100), "SMS"), "body"},
		{"integration at the limit", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session("32", "Ada", str(alvaria.MaxIntegrationChars)), ""},
		{"integration too long", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session("32", "Ada", str(alvaria.MaxIntegrationChars+1)), "integration"},
		{"work type at the limit", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session(str(alvaria.MaxWorkTypeIDChars), "Ada", ""), ""},
		{"work type too long", http.MethodPost, sessionPath(DefaultOrgID), apiHeaders(tok), session(str(alvaria.MaxWorkTypeIDChars+1), "Ada", ""), "workTypeId"},
		{"text at the limit", http.MethodPost, messagePath(DefaultOrgID), withSession, message(str(alvaria.MaxTextChars), ""), ""},
		{"text too long", http.MethodPost, messagePath(DefaultOrgID), withSession, message(str(alvaria.MaxTextChars+1), ""), "text"},
		{"url at the limit", http.MethodPost, messagePath(DefaultOrgID), withSession, message("", url(alvaria.MaxAttachmentURLChars)), ""},
		{"url too long", http.MethodPost, messagePath(DefaultOrgID), withSession, message("", url(alvaria.MaxAttachmentURLChars+1)), "attachment.url"},
		{"session id too long on send", http.MethodPost, messagePath(DefaultOrgID),
			with(apiHeaders(tok), alvaria.HeaderSessionID, strings.Repeat("a", alvaria.MaxSessionIDChars+1)), message("hi", ""), alvaria.HeaderSessionID},
		{"session id too long on delete", http.MethodDelete, sessionPath(DefaultOrgID),
			with(apiHeaders(tok), alvaria.HeaderSessionID, strings.Repeat("a", alvaria.MaxSessionIDChars+1)), "", alvaria.HeaderSessionID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.do(t, tt.method, tt.path, tt.headers, tt.body)
			if tt.scope == "" {
				if resp.StatusCode != http.StatusAccepted {
					t.Fatalf("status %d %s, want 202", resp.StatusCode, body)
				}
				return
			}
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			var er alvaria.ErrorResponse
			mustJSON(t, body, &er)
			if len(er.Errors) != 1 || er.Errors[0].Scope != tt.scope || er.Errors[0].Message == "" {
				t.Errorf("errors %+v, want one naming %s", er.Errors, tt.scope)
			}
		})
	}
}

// The desk's inputs reach callbacks too, so they are bounded like the API's.
func TestDeskInputsAreBounded(t *testing.T) {
	h := newHarness(t, quick())
	id, _ := h.start(t)
	messageID := h.send(t, id, alvaria.Message{Text: "hello"})
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"join alias", h.sim.Join(id, long(MaxAgentAliasChars+1)), "agentAlias"},
		{"transfer alias", h.sim.Transfer(id, long(MaxAgentAliasChars+1), ""), "agentAlias"},
		{"transfer work type", h.sim.Transfer(id, "", long(alvaria.MaxWorkTypeIDChars+1)), "worktypeId"},
		{"fail status", h.sim.FailMessage(id, messageID, long(MaxStatusMessageChars+1)), "statusMessage"},
		{"agent reply text", h.sim.AgentReply(id, alvaria.Message{Text: long(alvaria.MaxTextChars + 1)}), "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v *alvaria.ValidationError
			if !errors.As(tt.err, &v) || v.Field != tt.field {
				t.Errorf("%s: err = %v, want a ValidationError on %s", tt.name, tt.err, tt.field)
			}
		})
	}
	if err := h.sim.Join(id, long(MaxAgentAliasChars)); err != nil {
		t.Errorf("alias at the limit: %v", err)
	}
	if err := h.sim.FailMessage(id, messageID, long(MaxStatusMessageChars)); err != nil {
		t.Errorf("status message at the limit: %v", err)
	}
}
