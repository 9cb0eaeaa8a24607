// Package bench is Parley's load tool: it signs callbacks ahead of time and
// posts them at a concurrency, seeds a database for the page benchmarks, and
// measures the anchors (RS256, a SQLite insert loop) each figure is compared
// with. `parley bench` drives it; BENCHMARKS.md holds the figures.
package bench
