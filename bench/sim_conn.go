package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// rawConn posts one prepared HTTP/1.1 request again and again on a kept-open
// connection, reading each answer by hand. The load generator shares the
// machine with the server it measures; net/http's client spends several
// times the CPU of this, which at thousands of requests a second is CPU
// taken from the server. Both the simulator and its anchor are driven by
// the same client.
type rawConn struct {
	addr    string
	request []byte
	conn    net.Conn
	r       *bufio.Reader
	body    []byte
}

// maxHeaderLines bounds the answer's header, for a misbehaving target.
const maxHeaderLines = 100

func newRawConn(endpoint string, header [][2]string, body []byte) (*rawConn, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("URL %q: the load client speaks plain http to host:port", endpoint)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", u.RequestURI(), u.Host, len(body))
	for _, h := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	b.Write(body)
	return &rawConn{addr: host, request: b.Bytes()}, nil
}

// post sends the request and returns the status and the body (valid until
// the next post), reconnecting when the server closed the connection.
func (c *rawConn) post() (int, []byte, error) {
	for try := 0; ; try++ {
		if c.conn == nil {
			conn, err := net.DialTimeout("tcp", c.addr, 10*time.Second)
			if err != nil {
				return 0, nil, err
			}
			c.conn, c.r = conn, bufio.NewReaderSize(conn, 4096)
		}
		_ = c.conn.SetDeadline(time.Now().Add(30 * time.Second))
		code, body, keep, err := c.roundTrip()
		if err != nil {
			c.close()
			// A kept-open connection the server had closed fails at once;
			// that is not the request's failure.
			if try == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
				continue
			}
			return 0, nil, err
		}
		if !keep {
			c.close()
		}
		return code, body, nil
	}
}

func (c *rawConn) roundTrip() (code int, body []byte, keep bool, err error) {
	if _, err := c.conn.Write(c.request); err != nil {
		return 0, nil, false, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// HTTP/1.1 202 Accepted
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, fmt.Errorf("not an HTTP answer: %q", line)
	}
	code, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, fmt.Errorf("status line %q", line)
	}
	length, keep := -1, true
	for i := 0; ; i++ {
		if i == maxHeaderLines {
			return 0, nil, false, errors.New("answer header too long")
		}
		line, err = c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 || length > maxAnswerBytes {
				return 0, nil, false, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, false, fmt.Errorf("Transfer-Encoding %q: the load client reads only Content-Length answers", value)
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return 0, nil, false, errors.New("answer without Content-Length")
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	c.body = c.body[:length]
	if _, err := io.ReadFull(c.r, c.body); err != nil {
		return 0, nil, false, err
	}
	return code, c.body, keep, nil
}

func (c *rawConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn, c.r = nil, nil
	}
}
