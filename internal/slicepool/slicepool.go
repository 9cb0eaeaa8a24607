// Package slicepool reuses slices between requests: the sessions list is
// the busiest page, and its rows were most of what it allocated.
package slicepool

import "sync"

// Pool holds slices of T of at most max capacity. The zero Pool is not
// usable; make one with New.
type Pool[T any] struct {
	max int
	p   sync.Pool
}

// New makes a Pool that keeps slices of at most max capacity, so that a
// rare huge one does not stay.
func New[T any](max int) *Pool[T] {
	return &Pool[T]{max: max, p: sync.Pool{New: func() any { return new([]T) }}}
}

// Get returns an empty slice with room for n.
func (p *Pool[T]) Get(n int) []T {
	s := p.p.Get().(*[]T)
	if cap(*s) < n {
		return make([]T, 0, n)
	}
	return (*s)[:0]
}

// Put gives s back; its caller must not use it afterwards. Its elements
// are cleared first, so that what they point to can be collected.
func (p *Pool[T]) Put(s []T) {
	if cap(s) > p.max {
		return
	}
	s = s[:cap(s)]
	clear(s)
	s = s[:0]
	p.p.Put(&s)
}
