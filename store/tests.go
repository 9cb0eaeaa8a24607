package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Test is a saved conversation test.
type Test struct {
	ID        string
	Name      string
	Scenario  string // the YAML as written
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TestSummary is a test with what its list row shows of its runs.
type TestSummary struct {
	Test
	Runs       int
	Passed     int
	LastRunID  *int64
	LastStatus string
	LastRunAt  *time.Time
}

// SaveTest stores a new test, or replaces the name and scenario of the one
// with t.ID.
func (s *Store) SaveTest(ctx context.Context, t *Test) error {
	now := stamp(time.Now())
	t.UpdatedAt = now
	if t.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("new test id: %w", err)
		}
		t.ID, t.CreatedAt = id.String(), now
		if err := s.with(ctx).Create(t).Error; err != nil {
			return fmt.Errorf("create test: %w", err)
		}
		return nil
	}
	res := s.with(ctx).Model(&Test{}).Where("id = ?", t.ID).
		Updates(map[string]any{"name": t.Name, "scenario": t.Scenario, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("update test %s: %w", t.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update test %s: %w", t.ID, ErrNotFound)
	}
	return nil
}

// GetTest returns the test with id.
func (s *Store) GetTest(ctx context.Context, id string) (Test, error) {
	var t Test
	err := s.with(ctx).Where("id = ?", id).Take(&t).Error
	return t, notFound(err)
}

// DeleteTest removes a test; its runs stay, readable, without it.
func (s *Store) DeleteTest(ctx context.Context, id string) error {
	res := s.with(ctx).Where("id = ?", id).Delete(&Test{})
	if res.Error != nil {
		return fmt.Errorf("delete test %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete test %s: %w", id, ErrNotFound)
	}
	return nil
}

// ListTests returns every test by name, each with its run counts and last
// run, in one query.
func (s *Store) ListTests(ctx context.Context) ([]TestSummary, error) {
	var rows []TestSummary
	err := s.with(ctx).Raw(`
SELECT t.*,
       (SELECT COUNT(*) FROM runs r WHERE r.test_id = t.id AND r.status IN ('passed', 'failed', 'errored')) AS runs,
       (SELECT COUNT(*) FROM runs r WHERE r.test_id = t.id AND r.status = 'passed') AS passed,
       l.id AS last_run_id, l.status AS last_status, l.created_at AS last_run_at
FROM tests t
LEFT JOIN runs l ON l.id = (SELECT MAX(r.id) FROM runs r WHERE r.test_id = t.id)
ORDER BY lower(t.name), t.id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list tests: %w", err)
	}
	return rows, nil
}
