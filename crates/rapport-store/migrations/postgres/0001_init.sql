-- Rapport schema v1 (PostgreSQL). Keep in step with ../sqlite/0001_init.sql: the schema-parity
-- test compares the two. Integers are BIGINT and timestamps are Unix milliseconds so that one
-- query text decodes the same on both databases.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('client', 'therapist', 'admin')),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE listings (
    id TEXT PRIMARY KEY,
    user_id TEXT UNIQUE REFERENCES users(id) ON DELETE SET NULL,
    data TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    therapist_name TEXT NOT NULL,
    therapist_user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    listing_id TEXT,
    sharing TEXT NOT NULL DEFAULT 'private' CHECK (sharing IN ('private', 'trend', 'answers')),
    created_at BIGINT NOT NULL
);
CREATE INDEX relationships_client ON relationships (client_id);
CREATE INDEX relationships_therapist ON relationships (therapist_user_id);

CREATE TABLE checkins (
    id TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships(id) ON DELETE CASCADE,
    session BIGINT NOT NULL,
    answers TEXT NOT NULL,
    need BYTEA,
    created_at BIGINT NOT NULL,
    UNIQUE (relationship_id, session)
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);
CREATE INDEX audit_log_client ON audit_log (client_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
