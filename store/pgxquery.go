package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// errNoPgx means queryPgx cannot run here: on SQLite, or inside a
// transaction, where the caller uses database/sql as everywhere else.
var errNoPgx = errors.New("pgx is not at hand")

// queryPgx runs query on Postgres through pgx itself rather than through
// database/sql, and calls scan with the rows. database/sql has the driver
// box every value of every row into an interface and then copies it into
// the destination by reflection: on the sessions list, 51 rows of 21
// columns, that was most of what the page allocated. GORM still builds the
// statement (placeholders, lists expanded), so query and args are written
// as for Raw.
func (s *Store) queryPgx(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) error {
	if s.dialect != DialectPostgres || s.seqs != nil {
		return errNoPgx
	}
	pool, ok := s.db.Statement.ConnPool.(*sql.DB)
	if !ok {
		return errNoPgx
	}
	stmt := s.db.Session(&gorm.Session{DryRun: true, NewDB: true}).Raw(query, args...).Statement
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres connection is a %T, not pgx's", driverConn)
		}
		rows, err := c.Conn().Query(ctx, stmt.SQL.String(), stmt.Vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := scan(rows); err != nil {
			return err
		}
		return rows.Err()
	})
}
