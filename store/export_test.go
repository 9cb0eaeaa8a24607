package store

// SetSearchWalk makes searches read n sessions one at a time before they
// ask the indexes, so tests reach both halves of a search with few rows.
func (s *Store) SetSearchWalk(n int) { s.searchWalk = n }
