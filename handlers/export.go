package handlers

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
)

// transcriptJSON is the shape of a transcript download.
type transcriptJSON struct {
	Session  conversation.Session        `json:"session"`
	Messages []conversation.Message      `json:"messages"`
	Events   []conversation.Event        `json:"events"`
	Reviews  []conversation.ReviewChange `json:"reviews"`
}

func (h *handler) transcriptJSON(c *gin.Context) {
	d, ok := h.exportTranscript(c, "json")
	if !ok {
		return
	}
	out := transcriptJSON{Session: d.Session, Messages: d.Messages, Events: d.Events, Reviews: d.Reviews}
	attach(c, "transcript-"+d.Session.ID+".json")
	c.IndentedJSON(http.StatusOK, out)
}

func (h *handler) transcriptCSV(c *gin.Context) {
	d, ok := h.exportTranscript(c, "csv")
	if !ok {
		return
	}
	attach(c, "transcript-"+d.Session.ID+".csv")
	c.Header("Content-Type", "text/csv; charset=utf-8")
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"time", "direction", "sender", "text", "attachment_type", "attachment_url", "status", "status_detail", "alvaria_message_id"})
	for _, m := range d.Messages {
		w.Write(safeCSV(stamp(m.CreatedAt), m.Direction, m.SenderID, m.Text, m.AttachmentType, m.AttachmentURL, m.Status, m.StatusDetail, m.AlvariaMessageID))
	}
	w.Flush()
}

func (h *handler) exportTranscript(c *gin.Context, format string) (conversation.Detail, bool) {
	d, err := h.Sessions.ExportTranscript(c.Request.Context(), c.Param("id"), format, h.actor(c))
	if err != nil {
		h.respondError(c, err)
		return d, false
	}
	return d, true
}

func (h *handler) sessionsCSV(c *gin.Context) {
	q, err := newListForm(c.Request).Validate()
	var rows []conversation.Session
	if err == nil {
		rows, err = h.Sessions.ExportSessions(c.Request.Context(), q, h.actor(c))
	}
	if err != nil {
		h.respondError(c, err)
		return
	}
	attach(c, "sessions-"+time.Now().UTC().Format("20060102-150405")+".csv")
	c.Header("Content-Type", "text/csv; charset=utf-8")
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"id", "alvaria_session_id", "contact", "work_type", "state", "agent", "connection", "started_by", "created_at", "last_activity_at", "messages", "verdict", "review_notes"})
	for _, s := range rows {
		w.Write(safeCSV(s.ID, s.AlvariaSessionID, s.ContactName, s.WorkTypeID, s.Status, s.AgentAlias, s.Connection, s.StartedBy,
			stamp(s.CreatedAt), stamp(s.LastActivityAt), strconv.Itoa(s.MessageCount), s.Verdict, s.ReviewNotes))
	}
	w.Flush()
}

func attach(c *gin.Context, name string) {
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// safeCSV neutralises cells a spreadsheet would run as a formula: message
// text is written by outsiders. Spreadsheets skip leading blanks and line
// breaks before they look for "=", so those are no hiding place.
func safeCSV(cells ...string) []string {
	for i, v := range cells {
		rest := strings.TrimLeft(v, " \t\r\n")
		if rest != v && v[0] != ' ' || rest != "" && strings.ContainsRune("=+-@", rune(rest[0])) {
			cells[i] = "'" + v
		}
	}
	return cells
}
