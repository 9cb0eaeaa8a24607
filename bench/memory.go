package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// Resident is a process's resident memory from /proc/<pid>/status (Linux
// only), in bytes: VmRSS, and its parts. File is pages of mapped files,
// mostly the executable's code and read-only data, shared with the page
// cache; Anon is the process's own memory (heap, stacks).
type Resident struct {
	RSS, Anon, File int64
}

func (r Resident) String() string {
	return fmt.Sprintf("%s RSS (anonymous %s, file-backed %s)", MB(r.RSS), MB(r.Anon), MB(r.File))
}

// ReadResident reads pid's resident memory.
func ReadResident(pid int) (Resident, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Resident{}, fmt.Errorf("read the resident size of process %d: %w", pid, err)
	}
	defer f.Close()
	var r Resident
	fields := map[string]*int64{"VmRSS:": &r.RSS, "RssAnon:": &r.Anon, "RssFile:": &r.File}
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		p, ok := fields[firstOr(parts)]
		if !ok {
			continue
		}
		if len(parts) != 3 || parts[2] != "kB" {
			return Resident{}, fmt.Errorf("process %d: unexpected line %q", pid, sc.Text())
		}
		kb, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return Resident{}, fmt.Errorf("process %d: %q: %w", pid, sc.Text(), err)
		}
		*p = kb << 10
		found++
	}
	if err := sc.Err(); err != nil {
		return Resident{}, err
	}
	if found != len(fields) {
		return Resident{}, fmt.Errorf("process %d has no VmRSS, RssAnon and RssFile (a kernel thread, or gone)", pid)
	}
	return r, nil
}

func firstOr(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return parts[0]
}

// Sockets are idle websockets held open to a console, each read by a
// goroutine that discards what arrives, as an idle browser tab would.
type Sockets struct {
	conns  []*websocket.Conn
	cancel context.CancelFunc
}

// OpenSockets opens n websockets to path (such as /live/sessions) on c's
// console, signed in with c's cookies, one after another.
func (c *Console) OpenSockets(ctx context.Context, path string, n int) (*Sockets, error) {
	wsURL := "ws" + strings.TrimPrefix(c.Base, "http") + path
	if _, err := url.Parse(wsURL); err != nil {
		return nil, fmt.Errorf("websocket path %q: %w", path, err)
	}
	readCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Sockets{cancel: cancel}
	for i := range n {
		dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
		conn, resp, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{HTTPClient: c.HTTP})
		dcancel()
		if err != nil {
			s.Close()
			if resp != nil {
				return nil, fmt.Errorf("websocket %d of %d to %s: %s: %w", i+1, n, wsURL, resp.Status, err)
			}
			return nil, fmt.Errorf("websocket %d of %d to %s: %w", i+1, n, wsURL, err)
		}
		conn.SetReadLimit(16 << 20)
		s.conns = append(s.conns, conn)
		go func() {
			for {
				if _, _, err := conn.Read(readCtx); err != nil {
					return
				}
			}
		}()
	}
	return s, nil
}

// Len is how many are open.
func (s *Sockets) Len() int { return len(s.conns) }

// Close closes them all.
func (s *Sockets) Close() {
	for _, c := range s.conns {
		_ = c.CloseNow()
	}
	s.cancel()
}

// MB prints bytes as mebibytes, the unit the memory goals are written in.
func MB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
