-- +goose Up
-- QA's comments on single messages, and free tags on sessions.
CREATE TABLE message_comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    author     TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX message_comments_session ON message_comments (session_id, id);

CREATE TABLE session_tags (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    added_by   TEXT NOT NULL DEFAULT '',
    added_at   DATETIME NOT NULL,
    PRIMARY KEY (session_id, tag)
);
CREATE INDEX session_tags_tag ON session_tags (tag, session_id);

-- +goose Down
DROP TABLE session_tags;
DROP TABLE message_comments;
