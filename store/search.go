package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// minIndexedTerm is the shortest term the trigram indexes can find; a
// shorter one is matched by scanning, as before the indexes.
const minIndexedTerm = 3

// searchWalks are how many sessions, newest first, a search for a page of
// n reads one at a time (the name, the Alvaria id, and the session's own
// messages through messages_session_id) before it asks the text indexes
// about the rest: twice a page, then ten pages. Asking the indexes first
// collects every message that says the term before the newest sessions can
// be picked: for a word in every message, all of them (1.3 s at 1M
// messages). A word most sessions say fills the page within the first,
// short walk. A word none of those sessions say is likely rare, and the
// indexes find it in a millisecond or two; one some of them say is read on
// through the longer walk, which a word in a tenth of the sessions fills,
// before the indexes are asked.
func searchWalks(n int) []int { return []int{2 * n, 10 * n} }

// searchSessions returns the newest n sessions among those where selects
// that match term (see indexSearch), newest first.
func (s *Store) searchSessions(ctx context.Context, where conditions, term string, n int) ([]Session, error) {
	var hits []Session
	if s.walks(term) {
		walks := searchWalks(n)
		if len(s.searchWalks) > 0 {
			walks = s.searchWalks
		}
		var walk int
		for i := range walks {
			walk = walks[i]
			query, args := s.walkSearch(where, term, walk, n)
			var err error
			if hits, err = s.querySessions(ctx, query, args...); err != nil {
				return nil, fmt.Errorf("search the newest %d sessions: %w", walk, err)
			}
			if len(hits) >= n || len(hits) == 0 {
				break
			}
		}
		if len(hits) >= n {
			return hits, nil
		}
		// The rest of the answer is older than the last session walked, if
		// the walk did not already read them all.
		var edge SessionCursor
		err := s.with(ctx).Raw("SELECT created_at, id FROM sessions"+where.clause()+newestFirst+" LIMIT 1 OFFSET ?", append(where.args, walk-1)...).
			Row().Scan(&edge.CreatedAt, &edge.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return hits, nil
		}
		if err != nil {
			return nil, fmt.Errorf("find where the search walk ended: %w", err)
		}
		where = where.and(after(edge))
	}
	query, args := s.indexSearch(where, term, n-len(hits))
	rest, err := s.querySessions(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search the indexes: %w", err)
	}
	return append(hits, rest...), nil
}

// walks reports whether the walk finds exactly what indexSearch would
// for term. On Postgres both compare LOWER(...) LIKE. On SQLite the walk
// compares LOWER(...) LIKE too, which folds ASCII letters only: the same
// as the scan of a short term, and as the FTS5 index for an ASCII term,
// but not for a longer term with other letters, which the index folds.
func (s *Store) walks(term string) bool {
	if s.dialect != DialectSQLite || utf8.RuneCountInString(term) < minIndexedTerm {
		return true
	}
	for i := 0; i < len(term); i++ {
		if term[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// searchesAbout reports whether term is looked for in what a session is
// about besides its name and messages: its Alvaria sessionId, who started
// it, why it failed or ended, and why its messages failed. Only a term the
// trigram indexes can find is; and, on Postgres, not one holding the
// separator of postgresAbout.
func (s *Store) searchesAbout(term string) bool {
	if s.dialect == DialectPostgres && strings.ContainsRune(term, aboutSeparator) {
		return false
	}
	return utf8.RuneCountInString(term) >= minIndexedTerm
}

// aboutSeparator is chr(31), the unit separator, between the columns of
// postgresAbout.
const aboutSeparator = '\x1f'

// postgresAbout is the expression of migration 00011's sessions_about_trgm
// index, written the same so the planner uses it: one index scan for the
// three columns rather than three.
const postgresAbout = "LOWER(alvaria_session_id || chr(31) || started_by || chr(31) || state_detail)"

// walkSearch is the query of the sessions among the newest walk of those
// where selects that match term, newest first, at most n of them. Each
// session's messages are probed through its index and the probe stops at
// the first that says term. On Postgres the probe is a LATERAL subquery:
// an EXISTS inside the OR would be planned as one hashed lookup of every
// matching message, the very collection the walk is there to avoid.
func (s *Store) walkSearch(where conditions, term string, walk, n int) (string, []any) {
	like := "%" + likeEscape(strings.ToLower(term)) + "%"
	newest := "(SELECT " + sessionColumns + " FROM sessions" + where.clause() + newestFirst + " LIMIT ?) s"
	args := append(where.args[:len(where.args):len(where.args)], walk)
	about, aboutArgs := "", []any(nil)
	said, saidArgs := `m.direction <> 'system' AND LOWER(m.text) LIKE ? ESCAPE '\'`, []any{like}
	if s.searchesAbout(term) {
		if s.dialect == DialectPostgres {
			about, aboutArgs = " OR "+postgresAbout+` LIKE ? ESCAPE '\'`, []any{like}
		} else {
			about = ` OR LOWER(alvaria_session_id) LIKE ? ESCAPE '\' OR LOWER(started_by) LIKE ? ESCAPE '\' OR LOWER(state_detail) LIKE ? ESCAPE '\'`
			aboutArgs = []any{like, like, like}
		}
		said = "(" + said + `) OR (m.status = 'failed' AND LOWER(m.status_detail) LIKE ? ESCAPE '\')`
		saidArgs = append(saidArgs, like)
	}
	if s.dialect == DialectPostgres {
		args = append(args, saidArgs...)
		args = append(append(args, like, term, term), aboutArgs...)
		return `SELECT ` + sessionColumns + ` FROM ` + newest + `
			LEFT JOIN LATERAL (SELECT true AS said FROM messages m WHERE m.session_id = s.id AND (` + said + `) LIMIT 1) m ON true
			WHERE LOWER(contact_name) LIKE ? ESCAPE '\' OR alvaria_session_id = ? OR s.id = ?` + about + ` OR m.said` + newestFirst + ` LIMIT ?`,
			append(args, n)
	}
	args = append(append(args, like, term, term), aboutArgs...)
	args = append(args, saidArgs...)
	return `SELECT ` + sessionColumns + ` FROM ` + newest + `
		WHERE LOWER(contact_name) LIKE ? ESCAPE '\' OR alvaria_session_id = ? OR s.id = ?` + about + `
			OR EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id AND (` + said + `))` +
		newestFirst + ` LIMIT ?`, append(args, n)
}

// indexSearch is the query of the newest n sessions among those where
// selects that term finds, ignoring case: in the contact name or one of
// the customer or agent messages; and, for a term of minIndexedTerm
// characters or more, in the Alvaria sessionId, who started the session,
// why it failed or ended, or why one of its messages failed to send; or
// whose Alvaria sessionId or Parley id is term. Each engine answers from
// its own index: FTS5 trigram tables on SQLite, pg_trgm GIN indexes on
// Postgres; the results are the same.
func (s *Store) indexSearch(where conditions, term string, n int) (string, []any) {
	like := "%" + likeEscape(strings.ToLower(term)) + "%"
	if s.dialect == DialectPostgres {
		return postgresIndexSearch(where, like, term, s.searchesAbout(term), n)
	}
	var matches []conditions
	if utf8.RuneCountInString(term) >= minIndexedTerm {
		phrase := ftsPhrase(term)
		matches = []conditions{
			// The name, the Alvaria id, who started it and why it ended.
			where.and("id IN (SELECT session_id FROM sessions_fts WHERE sessions_fts MATCH ?)", phrase),
			where.and(`id IN (SELECT m.session_id FROM messages m WHERE m.direction <> 'system'
				AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))`, phrase),
		}
		if s.searchesAbout(term) {
			matches = append(matches, where.and("id IN (SELECT session_id FROM message_failures_fts WHERE message_failures_fts MATCH ?)", phrase))
		}
	} else {
		// Too short for the index: scanned.
		matches = []conditions{
			where.and(`LOWER(contact_name) LIKE ? ESCAPE '\'`, like),
			where.and(`id IN (SELECT m.session_id FROM messages m WHERE m.direction <> 'system' AND LOWER(m.text) LIKE ? ESCAPE '\')`, like),
		}
	}
	matches = append(matches, byAlvariaID(where, term), where.and("id = ?", term))
	// Each way of matching reads its own newest n; the union keeps the
	// newest n of those.
	var query strings.Builder
	var args []any
	for i, c := range matches {
		if i > 0 {
			query.WriteString(" UNION ")
		}
		fmt.Fprintf(&query, "SELECT * FROM (SELECT %s FROM sessions%s%s LIMIT ?) match%d", sessionColumns, c.clause(), newestFirst, i)
		args = append(append(args, c.args...), n)
	}
	query.WriteString(newestFirst + " LIMIT ?")
	return query.String(), append(args, n)
}

// postgresIndexSearch is indexSearch on Postgres. The matches are gathered
// in MATERIALIZED CTEs, which Postgres plans on their own, from the trigram
// indexes, before it sorts them. Written as one query with ORDER BY and
// LIMIT, the planner could walk the sessions newest first instead, probing
// each one's messages: it cannot tell how many sessions a LIKE pattern
// matches, least of all in the generic plan a prepared statement gets after
// a few runs, and that walk read every session for a rare word (1.8 s).
// Each way of matching is asked in its own arm of a UNION, so each arm
// reads the one index that answers it.
func postgresIndexSearch(where conditions, like, term string, about bool, n int) (string, []any) {
	said := `SELECT m.session_id FROM messages m WHERE m.direction <> 'system' AND LOWER(m.text) LIKE ? ESCAPE '\'`
	saidArgs := []any{like}
	named := "SELECT " + sessionColumns + " FROM sessions" + where.and(`LOWER(contact_name) LIKE ? ESCAPE '\'`, like).clause()
	namedArgs := append(where.args[:len(where.args):len(where.args)], like)
	if about {
		said += ` UNION SELECT m.session_id FROM messages m WHERE m.status = 'failed' AND LOWER(m.status_detail) LIKE ? ESCAPE '\'`
		saidArgs = append(saidArgs, like)
		c := where.and(postgresAbout+` LIKE ? ESCAPE '\'`, like)
		named += " UNION SELECT " + sessionColumns + " FROM sessions" + c.clause()
		namedArgs = append(namedArgs, c.args...)
	}
	byID := byAlvariaID(where, term)
	byParleyID := where.and("id = ?", term)
	saying := where.and("id IN (SELECT session_id FROM said)")
	args := append(saidArgs, namedArgs...)
	args = append(append(args, saying.args...), n, n)
	args = append(append(args, byID.args...), byParleyID.args...)
	args = append(args, n)
	return `WITH said AS MATERIALIZED (` + said + `),
		named AS MATERIALIZED (` + named + `),
		saying AS MATERIALIZED (SELECT ` + sessionColumns + ` FROM sessions` + saying.clause() + `)
		SELECT * FROM (SELECT * FROM named` + newestFirst + ` LIMIT ?) n
		UNION SELECT * FROM (SELECT * FROM saying` + newestFirst + ` LIMIT ?) m
		UNION SELECT ` + sessionColumns + ` FROM sessions` + byID.clause() + `
		UNION SELECT ` + sessionColumns + ` FROM sessions` + byParleyID.clause() + `
		` + newestFirst + ` LIMIT ?`, args // the union's order and limit
}

// byAlvariaID is where and the session whose Alvaria sessionId is term.
// The index on those ids leaves the empty ones out; saying so lets SQLite
// and a generic Postgres plan use it, rather than walk the sessions.
func byAlvariaID(where conditions, term string) conditions {
	return where.and("alvaria_session_id = ? AND alvaria_session_id <> ''", term)
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
