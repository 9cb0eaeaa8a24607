-- The sessions list page's statements, exactly as Parley sends them
-- (captured with log_statement = all): who holds the cookie, then the
-- newest 50 sessions and one more, which says there is a next page (the
-- limit is a parameter, as Parley binds it).
-- The anchor of `parley bench pages --page list`; run by pgbench-pages.sh.
\set limit 51
SELECT w.token_hash, w.user_id, w.csrf_token, w.client_addr, w.created_at, w.last_seen_at,
		u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at, u.updated_at
		FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.token_hash = :token_hash;
SELECT id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
	agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at, ended_by,
	verdict, review_notes, reviewed_by, reviewed_at FROM sessions ORDER BY created_at DESC, id DESC LIMIT :limit;
