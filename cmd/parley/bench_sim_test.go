package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-dev/parley/simulator"
	"github.com/parley-dev/parley/simulator/simtest"
)

func TestBenchSimCreatesSessionsInProcess(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "sim", "--count", "60", "--concurrency", "4", "--duration", "0"}, envMap(nil), &out, &out)
	if err != nil {
		t.Fatalf("bench sim: %v\n%s", err, out.String())
	}
	for _, want := range []string{"sent 60 in", "60 answered 202", "sessions created/s at concurrency 4", "latency: p50"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// The same command drives any server of the API, fetching the token once.
func TestBenchSimAgainstAServerOfTheAPI(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "sim", "--url", srv.URL, "--count", "20", "--concurrency", "2"}, envMap(nil), &out, &out)
	if err != nil || !strings.Contains(out.String(), "20 answered 202") {
		t.Fatalf("bench sim --url = %v\n%s", err, out.String())
	}
	if n := len(srv.Simulator.Sessions()); n != 20 {
		t.Errorf("the simulator has %d sessions, want the 20 created", n)
	}
	// Without a token nothing is accepted, and the run says so.
	out.Reset()
	err = run(context.Background(), []string{"bench", "sim", "--url", srv.URL, "--skip-auth", "--count", "5"}, envMap(nil), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "5 answered 401") {
		t.Errorf("bench sim --skip-auth against the simulator = %v, want every call refused 401", err)
	}
}

func TestBenchSimDeliversEveryCallbackOnce(t *testing.T) {
	for _, verify := range []bool{false, true} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"bench", "sim", "--deliver", "--sessions", "3", "--events", "30", "--duration", "1s",
			"--verify=" + strconv.FormatBool(verify)}, envMap(nil), &out, &out)
		if err != nil {
			t.Fatalf("bench sim --deliver --verify=%v: %v\n%s", verify, err, out.String())
		}
		if !strings.Contains(out.String(), "30 of 30 callbacks delivered") || !strings.Contains(out.String(), "0 doubled, 0 refused") {
			t.Errorf("report:\n%s", out.String())
		}
	}
}

// parley serve runs in this process in tests, so its memory is ours.
func TestBenchMemoryAgainstServe(t *testing.T) {
	t.Chdir(t.TempDir())
	srv := startServe(t, nil)
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "memory", "--url", srv.URL, "--pid", strconv.Itoa(os.Getpid()),
		"--password", testAdminPassword, "--sockets", "20", "--settle", "0s"}, envMap(nil), &out, &out)
	if err != nil {
		t.Fatalf("bench memory: %v\n%s\nserve log:\n%s", err, out.String(), srv.log)
	}
	for _, want := range []string{"idle: ", "MB RSS (anonymous ", "opened 20 websockets to /live/sessions", "with 20 idle websockets: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
