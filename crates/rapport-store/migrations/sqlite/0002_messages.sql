-- Messages a client chose to send to their therapist (speak-up notes, later endings).
-- The body is sealed with the vault (free text is encrypted at rest).
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships(id) ON DELETE CASCADE,
    sender_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_relationship ON messages (relationship_id, created_at);
