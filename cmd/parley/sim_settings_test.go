package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/simulator"
)

// The simulator's bounds are settings with documented defaults, and reach
// the simulator's configuration.
func TestSimulatorBoundsSettings(t *testing.T) {
	var cfg serveConfig
	if err := serveSettings(&cfg).parse(nil, envMap(nil), io.Discard); err != nil {
		t.Fatal(err)
	}
	// The README documents these figures; the simulator's own defaults agree.
	if cfg.Sim.TranscriptCap != 1000 || cfg.Sim.Retention != time.Hour || cfg.Sim.BacklogLimit != 10000 ||
		simulator.DefaultTranscriptCap != 1000 || simulator.DefaultKeepEnded != time.Hour || simulator.DefaultBacklogLimit != 10000 {
		t.Errorf("defaults: cap %d, retention %s, backlog %d; want 1000, 1h, 10000", cfg.Sim.TranscriptCap, cfg.Sim.Retention, cfg.Sim.BacklogLimit)
	}

	env := map[string]string{"PARLEY_SIM_TRANSCRIPT_CAP": "50", "PARLEY_SIM_RETENTION": "10m"}
	if err := serveSettings(&cfg).parse([]string{"--sim-backlog-limit", "7"}, envMap(env), io.Discard); err != nil {
		t.Fatal(err)
	}
	sc := cfg.Sim.simulatorConfig(nil, "http://127.0.0.1:1/cb", nil)
	if sc.TranscriptCap != 50 || sc.KeepEnded != 10*time.Minute || sc.BacklogLimit != 7 {
		t.Errorf("simulator config: cap %d, keep ended %s, backlog %d; want 50, 10m, 7", sc.TranscriptCap, sc.KeepEnded, sc.BacklogLimit)
	}
}

func TestSimulatorBoundsSettingsErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PARLEY_SIM_TRANSCRIPT_CAP": "0"}, "PARLEY_SIM_TRANSCRIPT_CAP 0: use a number of lines of 1 or more"},
		{map[string]string{"PARLEY_SIM_TRANSCRIPT_CAP": "-5"}, "PARLEY_SIM_TRANSCRIPT_CAP -5"},
		{map[string]string{"PARLEY_SIM_RETENTION": "0s"}, "PARLEY_SIM_RETENTION 0s: use a positive duration"},
		{map[string]string{"PARLEY_SIM_RETENTION": "-1h"}, "PARLEY_SIM_RETENTION -1h0m0s"},
		{map[string]string{"PARLEY_SIM_BACKLOG_LIMIT": "0"}, "PARLEY_SIM_BACKLOG_LIMIT 0: use a number of callbacks of 1 or more"},
		{map[string]string{"PARLEY_SIM_RETENTION": "soon"}, "PARLEY_SIM_RETENTION"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			for _, cmd := range [][]string{
				{"serve"},
				{"simulate", "--callback-url", "http://127.0.0.1:1/cb", "--sim-signing-key", t.TempDir() + "/key.pem"},
			} {
				err := run(t.Context(), cmd, envMap(tt.env), io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: error %v, want one containing %q", cmd[0], err, tt.want)
				}
			}
		})
	}
}
