-- The sessions list searched for a word few sessions say, as Parley sends
-- it (captured with log_statement = all): who holds the cookie, the walk
-- over the newest 102 sessions (twice a page), where the walk ended, and the trigram
-- indexes asked about the sessions older than that. The anchor of
-- `parley bench pages --page search --search zanzibar`; run by
-- pgbench-pages.sh with :like = %zanzibar% and :term = zanzibar.
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
SELECT created_at AS edge_at, id AS edge_id FROM sessions ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 101 \gset
WITH said AS MATERIALIZED (SELECT DISTINCT m.session_id FROM messages m WHERE m.direction <> 'system' AND LOWER(m.text) LIKE :like ESCAPE '\'),
			named AS MATERIALIZED (SELECT id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
		agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at,
		verdict, review_notes, reviewed_by, reviewed_at FROM sessions WHERE (created_at < :edge_at OR (created_at = :edge_at AND id < :edge_id)) AND LOWER(contact_name) LIKE :like ESCAPE '\'),
			saying AS MATERIALIZED (SELECT id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
		agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at,
		verdict, review_notes, reviewed_by, reviewed_at FROM sessions WHERE (created_at < :edge_at OR (created_at = :edge_at AND id < :edge_id)) AND id IN (SELECT session_id FROM said))
			SELECT * FROM (SELECT * FROM named ORDER BY created_at DESC, id DESC LIMIT 51) n
			UNION SELECT * FROM (SELECT * FROM saying ORDER BY created_at DESC, id DESC LIMIT 51) m
			UNION SELECT id, alvaria_session_id, connection, work_type_id, contact_name, integration, state, state_detail,
		agent_alias, started_by, run_id, message_count, seq, created_at, last_activity_at, ended_at,
		verdict, review_notes, reviewed_by, reviewed_at FROM sessions WHERE (created_at < :edge_at OR (created_at = :edge_at AND id < :edge_id)) AND alvaria_session_id = :term AND alvaria_session_id <> ''
			 ORDER BY created_at DESC, id DESC LIMIT 51;
