package handlers

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/conversation"
)

func (h *handler) transcriptJSON(c *gin.Context) {
	d, ok := h.exportTranscript(c, "json")
	if !ok {
		return
	}
	attach(c, "transcript-"+d.Session.ID+".json")
	c.IndentedJSON(http.StatusOK, newExportTranscript(d))
}

func (h *handler) transcriptCSV(c *gin.Context) {
	d, ok := h.exportTranscript(c, "csv")
	if !ok {
		return
	}
	attach(c, "transcript-"+d.Session.ID+".csv")
	c.Header("Content-Type", "text/csv; charset=utf-8")
	writeTranscriptCSV(c.Writer, d)
}

// writeTranscriptCSV writes the session's header (its columns and one row),
// a blank line, then the messages, so a spreadsheet shows who, when and how
// it ended above the conversation.
func writeTranscriptCSV(out io.Writer, d conversation.Detail) error {
	w := csv.NewWriter(out)
	w.Write(exportSessionColumns)
	w.Write(safeCSV(newExportSession(d.Session).cells()...))
	w.Write(nil)
	w.Write(exportMessageColumns)
	for _, m := range d.Messages {
		w.Write(safeCSV(newExportMessage(m).cells()...))
	}
	w.Flush()
	return w.Error()
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
	w.Write(exportSessionColumns)
	for _, s := range rows {
		w.Write(safeCSV(newExportSession(s).cells()...))
	}
	w.Flush()
}

// transcriptsZip streams one ZIP with the JSON and CSV transcript of each
// session the list's filters select (up to conversation.MaxZipSessions).
// The answer has begun when the first file is written, so a failure after
// that can only be logged, and the archive is left without its end.
func (h *handler) transcriptsZip(c *gin.Context) {
	q, err := newListForm(c.Request).Validate()
	if err != nil {
		h.respondError(c, err)
		return
	}
	var zw *zip.Writer
	err = h.Sessions.ExportTranscripts(c.Request.Context(), q, h.actor(c), func(d conversation.Detail) error {
		if zw == nil {
			attach(c, "transcripts-"+time.Now().UTC().Format("20060102-150405")+".zip")
			c.Header("Content-Type", "application/zip")
			c.Status(http.StatusOK)
			zw = zip.NewWriter(c.Writer)
		}
		base := "transcript-" + d.Session.ID
		f, err := zw.Create(base + ".json")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		if err := enc.Encode(newExportTranscript(d)); err != nil {
			return err
		}
		if f, err = zw.Create(base + ".csv"); err != nil {
			return err
		}
		return writeTranscriptCSV(f, d)
	})
	switch {
	case err != nil && zw == nil:
		h.respondError(c, err)
	case err != nil:
		h.Log.Error("transcripts zip cut short", "err", err)
	case zw == nil:
		// Nothing matched: an empty archive says so as well as a page would.
		attach(c, "transcripts-"+time.Now().UTC().Format("20060102-150405")+".zip")
		c.Header("Content-Type", "application/zip")
		c.Status(http.StatusOK)
		zip.NewWriter(c.Writer).Close()
	default:
		if err := zw.Close(); err != nil {
			h.Log.Error("transcripts zip", "err", err)
		}
	}
}

func attach(c *gin.Context, name string) {
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
}

func itoa(n int) string { return strconv.Itoa(n) }

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
