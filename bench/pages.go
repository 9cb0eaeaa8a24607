package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// PageLoad is the outcome of requesting one page over and over.
type PageLoad struct {
	Path     string
	OK       int // answered 200
	Non200   map[int]int
	Errors   int // no answer: refused, reset, timed out
	FirstErr error
	Bytes    int64 // of the 200 answers' bodies
	Elapsed  time.Duration
	Latency  Latencies
}

// Rate is pages answered 200 per second.
func (l PageLoad) Rate() float64 {
	if l.Elapsed <= 0 {
		return 0
	}
	return float64(l.OK) / l.Elapsed.Seconds()
}

// Pages requests path, signed in, from concurrency connections for
// duration, and times every request: what people reading the console at
// once cost it. Each worker waits for one answer before asking again.
func (c *Console) Pages(ctx context.Context, path string, concurrency int, duration time.Duration) PageLoad {
	concurrency = max(1, concurrency)
	client := &http.Client{
		Jar:           c.HTTP.Jar,
		Timeout:       30 * time.Second,
		CheckRedirect: c.HTTP.CheckRedirect,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			MaxConnsPerHost:     concurrency,
			// A page is read in one or two system calls rather than a
			// dozen of 4 KB: the load tool shares the CPUs with the server
			// it measures, and its reads took a quarter of them.
			ReadBufferSize: 64 << 10,
		},
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	type result struct {
		latencies []time.Duration
		ok        int
		bytes     int64
		non200    map[int]int
		errors    int
		firstErr  error
	}
	results := make([]result, concurrency)
	url := c.Base + path
	var wg sync.WaitGroup
	start := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			r.non200 = map[int]int{}
			for ctx.Err() == nil {
				t0 := time.Now()
				// Not tied to ctx: a request sent is waited for, so the last
				// ones are timed like the others rather than cut short.
				code, n, err := getOne(client, url)
				r.latencies = append(r.latencies, time.Since(t0))
				switch {
				case err != nil:
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
				case code == http.StatusOK:
					r.ok++
					r.bytes += n
				default:
					r.non200[code]++
				}
			}
		}()
	}
	wg.Wait()
	load := PageLoad{Path: path, Non200: map[int]int{}, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		load.OK += r.ok
		load.Bytes += r.bytes
		for code, n := range r.non200 {
			load.Non200[code] += n
		}
		load.Errors += r.errors
		if load.FirstErr == nil {
			load.FirstErr = r.firstErr
		}
	}
	load.Latency = Summarize(all)
	return load
}

// Get requests path once and returns its status and body, to check the
// page answers before it is loaded.
func (c *Console) Get(ctx context.Context, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, body, err
}

func getOne(client *http.Client, url string) (int, int64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n, err
}

func (l PageLoad) String() string {
	s := fmt.Sprintf("GET %s for %s: %d answered 200", l.Path, l.Elapsed.Round(time.Millisecond), l.OK)
	for code, n := range l.Non200 {
		s += fmt.Sprintf(", %d answered %d", n, code)
	}
	if l.Errors > 0 {
		s += fmt.Sprintf(", %d without an answer (first: %v)", l.Errors, l.FirstErr)
	}
	if l.OK > 0 {
		s += fmt.Sprintf(", %d bytes a page", l.Bytes/int64(l.OK))
	}
	return s
}
