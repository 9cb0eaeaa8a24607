package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DefaultSQLiteFile is where the embedded database lives when no URL is set.
const DefaultSQLiteFile = "parley.db"

const connectTimeout = 5 * time.Second

// Open connects to the database named by rawURL: empty for DefaultSQLiteFile
// in the working directory, sqlite:///path/file.db (or sqlite://file.db,
// relative), or postgres://… . It checks the database answers. Errors never
// repeat a password.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch {
	case rawURL == "":
		return openSQLite(ctx, DefaultSQLiteFile, log)
	case strings.HasPrefix(rawURL, "sqlite://"):
		path := strings.TrimPrefix(rawURL, "sqlite://")
		if path == "" {
			return nil, errors.New("sqlite URL has no file path; use sqlite:///path/to/file.db")
		}
		return openSQLite(ctx, path, log)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL, log)
	default:
		return nil, fmt.Errorf("%q is not a database URL; use postgres://… or sqlite:///path/to/file.db, or leave it empty for %s", Redact(rawURL), DefaultSQLiteFile)
	}
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return stamp(time.Now()) },
	}
}

func openSQLite(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("sqlite database %s: directory %s does not exist", path, dir)
		}
	}
	// WAL lets readers go on while a callback writes; one connection makes
	// writers queue in Go rather than fail with SQLITE_BUSY.
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := gorm.Open(sqlite.Open(dsn), gormConfig())
	if err != nil {
		return nil, sqliteOpenError(path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(1)
	// Prepared statements (GORM's PrepareStmt) would not spare SQLite any
	// work: this driver compiles a statement's SQL again on every run even
	// when it is prepared, and GORM prepares statements first seen in a
	// transaction on that transaction, so database/sql prepares them anew
	// in the next. Sending fewer statements is what helps.
	s := &Store{db: db, dialect: DialectSQLite, log: log, path: path}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, sqliteOpenError(path, err)
	}
	return s, nil
}

// sqliteOpenError explains a failed open. The driver reports SQLite's
// SQLITE_CANTOPEN (14) as "out of memory (14)", which sends people looking
// in the wrong place: the cause is the path or its permissions.
func sqliteOpenError(path string, err error) error {
	if strings.Contains(err.Error(), "(14)") {
		return fmt.Errorf("sqlite database %s: cannot open or create the file; check that its directory is writable by this user and that the path names a file", path)
	}
	return fmt.Errorf("open sqlite database %s: %w", path, err)
}

func openPostgres(ctx context.Context, rawURL string, log *slog.Logger) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("the postgres URL is malformed; expected postgres://user:password@host:5432/dbname")
	}
	q := u.Query()
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", fmt.Sprint(int(connectTimeout.Seconds())))
		u.RawQuery = q.Encode()
	}
	cfg := gormConfig()
	cfg.DisableAutomaticPing = true
	db, err := gorm.Open(postgres.Open(u.String()), cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %s", Redact(rawURL), scrub(err, u))
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(20)
	// As many idle as open: with fewer, a burst of more concurrent requests
	// than the idle limit closed a connection at each release and opened
	// another at the next query, a new Postgres backend and every
	// statement prepared again (55 a second under 8 pages at a time).
	sqlDB.SetMaxIdleConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, dialect: DialectPostgres, log: log}
	pctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot reach postgres at %s: %s", Redact(rawURL), scrub(err, u))
	}
	return s, nil
}

// Redact returns the URL with its password replaced, fit for logs and errors.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(malformed URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// scrub makes a driver error one line without the password in it.
func scrub(err error, u *url.URL) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if pw, has := u.User.Password(); has && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}
