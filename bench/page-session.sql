-- A session page's statements, exactly as Parley sends them (captured with
-- log_statement = all): who holds the cookie, the session, its newest 100
-- messages and where "Earlier" starts, the same for its callbacks, and its
-- reviews. The anchor of `parley bench pages --page session`; run by
-- pgbench-pages.sh, which finds :messages_oldest and :events_oldest (the
-- oldest id each list shows) the way Parley does.
SELECT w.token_hash, w.user_id, w.csrf_token, w.client_addr, w.created_at, w.last_seen_at,
			u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at, u.updated_at
			FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.token_hash = :token_hash;
SELECT * FROM "sessions" WHERE id = :session LIMIT 1;
SELECT id, session_id, direction, sender_id, text, attachment_type, attachment_url, alvaria_message_id, event_id,
			status, status_detail, seq, created_at, updated_at FROM messages WHERE session_id = :session ORDER BY id DESC LIMIT 100;
SELECT MIN(id) FROM (SELECT id FROM messages WHERE session_id = :session AND id < :messages_oldest ORDER BY id DESC LIMIT 100) earlier;
SELECT id, event_id, type, alvaria_session_id, session_id, payload, payload_base64, verified, verify_detail,
			parse_error, seq, received_at, applied_at FROM callback_events WHERE session_id = :session ORDER BY id DESC LIMIT 100;
SELECT MIN(id) FROM (SELECT id FROM callback_events WHERE session_id = :session AND id < :events_oldest ORDER BY id DESC LIMIT 100) earlier;
SELECT * FROM "review_changes" WHERE session_id = :session ORDER BY id;
