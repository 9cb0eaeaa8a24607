package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecondServeOnOneSQLiteFileStopsWithOneLine(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "parley.db")
	startServe(t, map[string]string{"PARLEY_DATABASE_URL": dbURL})

	// Without the claim a second server would start and serve until ctx ends.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"},
		envMap(map[string]string{"PARLEY_DATABASE_URL": dbURL, "PARLEY_ADMIN_PASSWORD": testAdminPassword}), io.Discard, io.Discard)
	if err == nil {
		t.Fatal("a second server on the same SQLite file started")
	}
	msg := err.Error()
	if !strings.Contains(msg, "in use by another Parley server") || strings.Contains(msg, "\n") {
		t.Fatalf("want one line saying the file is in use, got %q", msg)
	}
}
