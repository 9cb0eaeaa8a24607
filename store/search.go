package store

import (
	"strings"
	"unicode/utf8"
)

// minIndexedTerm is the shortest term the trigram indexes can find; a
// shorter one is matched by scanning, as before the indexes.
const minIndexedTerm = 3

// searchCondition returns the WHERE clause and its arguments that select the
// sessions whose contact name or one of whose customer or agent messages
// contains term, ignoring case, or whose Alvaria sessionId is term. Each
// engine answers from its own index: FTS5 trigram tables on SQLite, pg_trgm
// GIN indexes on Postgres; the results are the same.
func (s *Store) searchCondition(term string) (string, []any) {
	if s.dialect == DialectSQLite && utf8.RuneCountInString(term) >= minIndexedTerm {
		phrase := ftsPhrase(term)
		return `sessions.id IN (
			SELECT session_id FROM sessions_fts WHERE sessions_fts MATCH ?
			UNION SELECT id FROM sessions WHERE alvaria_session_id = ?
			UNION SELECT m.session_id FROM messages m WHERE m.direction <> 'system'
				AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))`,
			[]any{phrase, term, phrase}
	}
	// Postgres uses the trigram indexes for these LIKEs; SQLite, for a term
	// too short for its index, scans.
	like := "%" + likeEscape(strings.ToLower(term)) + "%"
	return `sessions.id IN (
		SELECT id FROM sessions WHERE LOWER(contact_name) LIKE ? ESCAPE '\'
		UNION SELECT id FROM sessions WHERE alvaria_session_id = ?
		UNION SELECT m.session_id FROM messages m WHERE m.direction <> 'system' AND LOWER(m.text) LIKE ? ESCAPE '\')`,
		[]any{like, term, like}
}

// ftsPhrase quotes term as one FTS5 phrase, so nothing in it is read as
// query syntax: with the trigram tokenizer a phrase matches as a substring.
func ftsPhrase(term string) string {
	return `"` + strings.ReplaceAll(term, `"`, `""`) + `"`
}

// likeEscape makes user input match literally inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
