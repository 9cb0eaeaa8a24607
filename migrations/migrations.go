// Package migrations holds the schema as goose SQL files, one directory per
// dialect, embedded so the binary migrates its own database at start-up.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
