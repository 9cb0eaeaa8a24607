package slicepool

import "testing"

// A slice given back is cleared, and one over the bound is not kept.
func TestPutClearsAndBounds(t *testing.T) {
	p := New[*int](4)
	v := 7
	s := append(p.Get(3), &v, &v)
	if cap(s) < 3 || len(s) != 2 {
		t.Fatalf("Get(3) gave len %d cap %d", len(s), cap(s))
	}
	p.Put(s)
	for i, e := range s[:cap(s)] {
		if e != nil {
			t.Fatalf("element %d kept after Put", i)
		}
	}
	big := make([]*int, 0, 5)
	p.Put(big) // over the bound: dropped, and Get still works
	if g := p.Get(1); len(g) != 0 || cap(g) < 1 {
		t.Fatalf("Get(1) gave len %d cap %d", len(g), cap(g))
	}
}
