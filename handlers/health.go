package handlers

import (
	"context"
	"io/fs"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz answers while the process is up.
func (h *handler) healthz(c *gin.Context) {
	c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 only while the database answers and takes writes: a
// read-only database would refuse every callback while looking healthy.
func (h *handler) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.Health.Ping(ctx); err != nil {
		h.Log.Warn("not ready", "err", err)
		c.String(http.StatusServiceUnavailable, "database unreachable\n")
		return
	}
	if err := h.Health.CheckWritable(ctx); err != nil {
		h.Log.Warn("not ready", "err", err)
		c.String(http.StatusServiceUnavailable, "database refuses writes\n")
		return
	}
	c.String(http.StatusOK, "ready\n")
}

// filesOnly serves the files of an http.FileSystem and answers 404 for its
// directories, so /static/ does not list what the binary embeds.
type filesOnly struct{ fs http.FileSystem }

func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.fs.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil || info.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
