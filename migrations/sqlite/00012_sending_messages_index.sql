-- +goose Up
-- Every applier transaction looks for its sessions' customer messages still
-- "sending" (an agent's answer settles them). Without this index that read
-- walked every message of those sessions; few are ever sending.
CREATE INDEX messages_sending ON messages (session_id, id) WHERE status = 'sending';

-- +goose Down
DROP INDEX messages_sending;
