package handlers

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

const requestIDKey = "parley.request_id"

// requestLog gives each request an id, which a failed request shows the
// user and every log line about it carries, and writes one structured line
// per request.
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := rand.Text()[:12]
		c.Set(requestIDKey, id)
		c.Header("X-Request-Id", id)
		c.Next()
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "request",
			"method", c.Request.Method,
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"duration", time.Since(start),
			"remote", c.ClientIP(),
			"request_id", id,
		)
	}
}

// recoverPanic turns a panic into a 500 and a log line with the cause,
// instead of a dropped connection.
func recoverPanic(log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		log.Error("panic in handler", "request_id", requestID(c), "path", c.Request.URL.Path, "panic", err)
		c.AbortWithStatus(http.StatusInternalServerError)
	})
}

// limitBody bounds every request body so one client cannot exhaust memory.
// A form is read here, so that one over the limit is refused as too large
// rather than looking, later, like a form without its CSRF token.
func (h *handler) limitBody(c *gin.Context) {
	if c.Request.Body == nil {
		c.Next()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.MaxBodyBytes)
	if !isForm(c.ContentType()) {
		c.Next()
		return
	}
	var tooBig *http.MaxBytesError
	if err := parseForm(c.Request, h.MaxBodyBytes); errors.As(err, &tooBig) {
		h.respondError(c, tooBig)
		c.Abort()
		return
	}
	c.Next()
}

// requestID is the id requestLog gave the request.
func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

func isForm(contentType string) bool {
	return contentType == "application/x-www-form-urlencoded" || contentType == "multipart/form-data"
}

// parseForm reads either kind of form; ParseMultipartForm alone would hide
// a urlencoded form's read error behind ErrNotMultipart.
func parseForm(r *http.Request, maxMemory int64) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return r.ParseMultipartForm(maxMemory)
	}
	return nil
}

// byteSize writes a limit as people say it: 1 MiB, 64 KiB, 512 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
