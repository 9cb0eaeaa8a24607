-- The sessions list searched for a word most sessions say, as Parley sends
-- it (captured with log_statement = all): who holds the cookie, then the
-- walk over the newest 102 sessions (twice a page), which fills it. The anchor of
-- `parley bench pages --page search --search message`; run by
-- pgbench-pages.sh with :like = %message% and :term = message.
SELECT w.token_hash, w.user_id, w.csrf_token, w.client_addr, w.created_at, w.last_seen_at,
			u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at, u.updated_at
			FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.token_hash = :token_hash;
SELECT id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
		agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at,
		verdict, review_notes, reviewed_by, reviewed_at FROM (SELECT id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
		agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at,
		verdict, review_notes, reviewed_by, reviewed_at FROM sessions ORDER BY created_at DESC, id DESC LIMIT 102) s
				LEFT JOIN LATERAL (SELECT true AS said FROM messages m WHERE m.session_id = s.id AND m.direction <> 'system'
					AND LOWER(m.text) LIKE :like ESCAPE '\' LIMIT 1) m ON true
				WHERE LOWER(contact_name) LIKE :like ESCAPE '\' OR alvaria_session_id = :term OR m.said ORDER BY created_at DESC, id DESC LIMIT 51;
