package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ClaimSole makes this process the only server on a SQLite file, until the
// returned release is called. Two servers on one file would each run their
// own live hub and embedded simulator, so pages would miss updates and
// callbacks would go to the wrong one. The lock is an flock on a file beside
// the database: the kernel drops it when the process dies, so a crash never
// leaves it stale. On Postgres several instances are supported and this
// does nothing.
func (s *Store) ClaimSole() (release func(), err error) {
	if s.dialect != DialectSQLite {
		return func() {}, nil
	}
	lockPath := s.path + ".lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite database %s: lock file: %w", s.path, err)
	}
	if err := lockFile(f); err != nil {
		holder, _ := os.ReadFile(lockPath)
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("sqlite database %s is in use by another Parley server (%s); run one server per SQLite file, or use Postgres for several",
				s.path, describeHolder(holder))
		}
		return nil, fmt.Errorf("sqlite database %s: lock %s: %w", s.path, lockPath, err)
	}
	// Who holds it, for the next one's error message.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d", os.Getpid())
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}

// errLocked means another process holds the lock.
var errLocked = errors.New("locked by another process")

func describeHolder(b []byte) string {
	if h := strings.TrimSpace(string(b)); h != "" && len(h) < 32 {
		return h
	}
	return "pid unknown"
}
