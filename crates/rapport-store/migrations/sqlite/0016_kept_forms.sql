-- Rapport schema v16 (SQLite). Keep in step with ../postgres/0016_kept_forms.sql
-- (schema-parity test).
-- A form sent just after its session expired is kept for its owner for a short time, sealed
-- (it may hold a check-in's private words), so that logging in again offers to send it instead
-- of losing it. Only a form carrying the expired session's own token is kept, for that
-- session's account.
CREATE TABLE kept_forms (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX kept_forms_user ON kept_forms (user_id);
CREATE INDEX kept_forms_expiry ON kept_forms (expires_at);
