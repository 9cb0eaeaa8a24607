package store

import (
	"context"
	"time"

	"gorm.io/gorm/logger"
)

// TraceStatements calls fn with the SQL of every statement the store sends
// from now on (not BEGIN and COMMIT, which GORM sends without it). It is
// for tests that pin how many statements a path costs; call it before the
// store is shared.
func (s *Store) TraceStatements(fn func(sql string)) {
	s.db.Logger = statementTracer{fn: fn}
}

// statementTracer is a GORM logger that reports statements and nothing else.
type statementTracer struct{ fn func(string) }

func (t statementTracer) LogMode(logger.LogLevel) logger.Interface { return t }
func (statementTracer) Info(context.Context, string, ...any)       {}
func (statementTracer) Warn(context.Context, string, ...any)       {}
func (statementTracer) Error(context.Context, string, ...any)      {}
func (t statementTracer) Trace(_ context.Context, _ time.Time, sql func() (string, int64), _ error) {
	q, _ := sql()
	t.fn(q)
}
