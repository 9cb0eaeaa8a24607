package store

// SetSearchWalks makes searches read these many sessions one at a time
// before they ask the indexes, so tests reach every part of a search with
// few rows.
func (s *Store) SetSearchWalks(n ...int) { s.searchWalks = n }
