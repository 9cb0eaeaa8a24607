package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Load is the outcome of posting callbacks.
type Load struct {
	Sent     int
	OK       []string // event ids answered 200
	Non200   map[int]int
	Errors   int // no answer: refused, reset, timed out
	FirstErr error
	Elapsed  time.Duration
	Latency  Latencies
}

// Rate is callbacks answered 200 per second.
func (l Load) Rate() float64 {
	if l.Elapsed <= 0 {
		return 0
	}
	return float64(len(l.OK)) / l.Elapsed.Seconds()
}

// Post sends callbacks to url from concurrency workers until all are sent or
// duration (if positive) has passed, and times each answer. A positive rate
// paces the sending at that many callbacks per second (as long as the
// workers keep up); zero sends as fast as the answers come.
func Post(ctx context.Context, url string, callbacks []Callback, concurrency int, duration time.Duration, rate float64) Load {
	concurrency = max(1, concurrency)
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			MaxConnsPerHost:     concurrency,
		},
	}
	defer client.CloseIdleConnections()
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}
	type result struct {
		latencies []time.Duration
		ok        []string
		non200    map[int]int
		errors    int
		firstErr  error
	}
	next := make(chan int)
	results := make([]result, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			r.non200 = map[int]int{}
			for i := range next {
				cb := callbacks[i]
				t0 := time.Now()
				// The request is not tied to ctx: one sent is waited for, so
				// that its answer, and whether it stored, is known.
				code, err := postOne(client, url, cb)
				r.latencies = append(r.latencies, time.Since(t0))
				switch {
				case err != nil:
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
				case code == http.StatusOK:
					r.ok = append(r.ok, cb.EventID)
				default:
					r.non200[code]++
				}
			}
		}()
	}
	sent := 0
feed:
	for i := range callbacks {
		if rate > 0 {
			due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if wait := time.Until(due); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					break feed
				}
			}
		}
		select {
		case next <- i:
			sent++
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	load := Load{Sent: sent, Non200: map[int]int{}, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		load.OK = append(load.OK, r.ok...)
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

func postOne(client *http.Client, url string, cb Callback) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(cb.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", cb.Authorization)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func (l Load) String() string {
	s := fmt.Sprintf("sent %d in %s: %d answered 200", l.Sent, l.Elapsed.Round(time.Millisecond), len(l.OK))
	for code, n := range l.Non200 {
		s += fmt.Sprintf(", %d answered %d", n, code)
	}
	if l.Errors > 0 {
		s += fmt.Sprintf(", %d without an answer (first: %v)", l.Errors, l.FirstErr)
	}
	return s
}
