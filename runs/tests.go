package runs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/scenario"
	"github.com/parley-dev/parley/store"
)

// ErrNotFound means there is no test or run with that id.
var ErrNotFound = errors.New("there is no such test or run")

// TestInput is a test as a person writes it.
type TestInput struct {
	ID       string // empty for a new test
	Name     string // empty takes the scenario's name
	Scenario string
	By       accounts.Actor
}

// SaveTest checks the scenario and stores it; an invalid one is refused
// whole with a *scenario.Error naming every problem.
func (svc *Service) SaveTest(ctx context.Context, in TestInput) (Test, error) {
	sc, err := scenario.Parse([]byte(in.Scenario))
	if err != nil {
		return Test{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = sc.Name
	}
	if strings.ContainsRune(name, 0) || !utf8.ValidString(name) {
		return Test{}, &scenario.Error{Problems: []scenario.Problem{{Message: "the name contains a NUL character or is not UTF-8 text"}}}
	}
	if len(name) > scenario.MaxNameLen {
		return Test{}, &scenario.Error{Problems: []scenario.Problem{{Message: fmt.Sprintf("the name is %d characters long; at most %d are allowed", len(name), scenario.MaxNameLen)}}}
	}
	t := store.Test{ID: in.ID, Name: name, Scenario: in.Scenario, CreatedBy: in.By.Username}
	if err := svc.store.SaveTest(ctx, &t); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Test{}, ErrNotFound
		}
		return Test{}, fmt.Errorf("save test: %w", err)
	}
	svc.record(ctx, in.By, accounts.ActionTestSave, t.ID, t.Name)
	return svc.GetTest(ctx, t.ID)
}

// DeleteTest removes a test; its runs stay readable.
func (svc *Service) DeleteTest(ctx context.Context, id string, by accounts.Actor) error {
	t, err := svc.GetTest(ctx, id)
	if err != nil {
		return err
	}
	if err := svc.store.DeleteTest(ctx, id); err != nil {
		return fmt.Errorf("delete test: %w", err)
	}
	svc.record(ctx, by, accounts.ActionTestDelete, id, t.Name)
	return nil
}

// GetTest returns the saved test with id.
func (svc *Service) GetTest(ctx context.Context, id string) (Test, error) {
	t, err := svc.store.GetTest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Test{}, ErrNotFound
	}
	if err != nil {
		return Test{}, fmt.Errorf("get test %s: %w", id, err)
	}
	return presentTest(t), nil
}

// ListTests returns every saved test with its pass rate and last result.
func (svc *Service) ListTests(ctx context.Context) ([]Test, error) {
	rows, err := svc.store.ListTests(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Test, len(rows))
	for i, r := range rows {
		out[i] = presentTest(r.Test)
		out[i].Runs, out[i].LastStatus = r.Runs, r.LastStatus
		if r.LastRunID != nil {
			out[i].LastRunID = *r.LastRunID
		}
		if r.Runs > 0 {
			out[i].PassRate = float64(r.Passed) / float64(r.Runs)
		}
	}
	return out, nil
}
