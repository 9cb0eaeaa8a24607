package bench

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRawConnReusesAndReopensConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Test") != "yes" || string(body) != "hello" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.URL.Query().Get("close") == "1" {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"sessionId":"s-1"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	for _, tc := range []struct {
		query     string
		wantConns int32
	}{{"", 1}, {"?close=1", 5}} {
		conns.Store(0)
		c, err := newRawConn(srv.URL+"/x"+tc.query, [][2]string{{"X-Test", "yes"}}, []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			code, body, err := c.post()
			if err != nil || code != http.StatusAccepted || !strings.Contains(string(body), "sessionId") {
				t.Fatalf("post%s = %d %s %v", tc.query, code, body, err)
			}
		}
		c.close()
		if n := conns.Load(); n != tc.wantConns {
			t.Errorf("post%s five times opened %d connections, want %d", tc.query, n, tc.wantConns)
		}
	}
}

func TestRawConnRefusesAnswersItCannotRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.(http.Flusher).Flush() // no Content-Length: chunked
		io.WriteString(w, `{"sessionId":"s-1"}`)
	}))
	defer srv.Close()
	c, err := newRawConn(srv.URL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if _, _, err := c.post(); err == nil || !strings.Contains(err.Error(), "Transfer-Encoding") {
		t.Errorf("chunked answer: err = %v, want it refused", err)
	}
	if _, err := newRawConn("https://example.com/", nil, nil); err == nil {
		t.Error("https: want an error, the client speaks plain http")
	}
}
