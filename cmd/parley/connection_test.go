package main

import (
	"net"
	"strings"
	"testing"
)

func TestCallbackPortWarning(t *testing.T) {
	listen := func(s string) net.Addr {
		a, err := net.ResolveTCPAddr("tcp", s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name      string
		publicURL string
		addr      string // PARLEY_ADDR as given
		bound     string
		warn      bool
	}{
		{"defaults", "http://localhost:8080", ":8080", "[::]:8080", false},
		{"same port, trailing slash", "http://localhost:8080/", "127.0.0.1:8080", "127.0.0.1:8080", false},
		{"listen moved, public URL not", "http://localhost:8080", ":9000", "[::]:9000", true},
		{"public URL moved, listen not", "http://localhost:9000", ":8080", "[::]:8080", true},
		{"http on 80", "http://parley.example", ":80", "[::]:80", false},
		{"https on 443 behind nothing", "https://parley.example", ":443", "[::]:443", false},
		{"https default port, listening on 8080", "https://parley.example", ":8080", "[::]:8080", true},
		{"port 0 takes the bound port", "http://127.0.0.1:41234", "127.0.0.1:0", "127.0.0.1:41234", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := callbackPortWarning(tt.publicURL, tt.addr, listen(tt.bound))
			if (msg != "") != tt.warn {
				t.Fatalf("warning %q, want one: %v", msg, tt.warn)
			}
			if tt.warn && (!strings.Contains(msg, tt.publicURL) || !strings.Contains(msg, tt.addr)) {
				t.Errorf("warning %q does not name both %s and %s", msg, tt.publicURL, tt.addr)
			}
		})
	}
}

func TestServeWarnsWhenCallbacksGoToAnotherPort(t *testing.T) {
	srv := startServe(t, map[string]string{"PARLEY_DATABASE_URL": "sqlite://" + t.TempDir() + "/parley.db", "PARLEY_PUBLIC_URL": "http://localhost:1"})
	if logs := srv.log.String(); !strings.Contains(logs, "PARLEY_PUBLIC_URL") || !strings.Contains(logs, "http://localhost:1") || !strings.Contains(logs, "127.0.0.1:0") {
		t.Fatalf("no warning naming PARLEY_PUBLIC_URL and PARLEY_ADDR in the log:\n%s", logs)
	}
	quiet := startConsole(t, nil)
	if logs := quiet.log.String(); strings.Contains(logs, "level=WARN") && strings.Contains(logs, "PARLEY_PUBLIC_URL") {
		t.Fatalf("warning although the ports agree:\n%s", logs)
	}
}
