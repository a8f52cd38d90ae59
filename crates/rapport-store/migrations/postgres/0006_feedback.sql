-- Rapport schema v6 (PostgreSQL). Keep in step with ../sqlite/0006_feedback.sql (schema-parity test).
-- Therapist and practice views: outcome sharing, alerts, practices, therapist settings, per-client
-- data keys, and what stays pooled when a client deletes their account.
-- Booleans are BIGINT 0/1 so that one query text decodes the same on both databases.

-- Measures (PHQ-9, GAD-7, ORS, SRS) are shared per relationship on top of the alliance sharing:
-- a relationship whose `sharing` is private shares nothing, whatever this says.
ALTER TABLE relationships ADD COLUMN share_outcomes BIGINT NOT NULL DEFAULT 0 CHECK (share_outcomes IN (0, 1));

-- Created only for shared relationships (the insert itself checks). `detail` holds numbers and
-- status titles, never client free text; `emailed` = 1 once queued in the outbox.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    relationship_id TEXT NOT NULL REFERENCES relationships(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('rupture', 'speak_up', 'reconsider', 'srs_low', 'srs_drop', 'crisis')),
    session BIGINT,
    response_id TEXT,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT,
    emailed BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX alerts_therapist ON alerts (therapist_id, created_at);
CREATE INDEX alerts_relationship ON alerts (relationship_id);

CREATE TABLE practices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- One practice per account (therapists and administrators): the primary key says so.
CREATE TABLE practice_members (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    practice_id TEXT NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL
);
CREATE INDEX practice_members_practice ON practice_members (practice_id);

-- A therapist's own choices: when a check-in counts as overdue, and whether their measured
-- effectiveness may be written to their directory listing for matching.
CREATE TABLE therapist_settings (
    therapist_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    overdue_days BIGINT NOT NULL DEFAULT 10 CHECK (overdue_days BETWEEN 1 AND 365),
    publish_effectiveness BIGINT NOT NULL DEFAULT 0 CHECK (publish_effectiveness IN (0, 1)),
    updated_at BIGINT NOT NULL
);

-- Each client's random data key, sealed by the deployment key. Client free text is sealed with
-- it; deleting the row makes every copy of that text unreadable.
CREATE TABLE user_keys (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    wrapped BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- What stays pooled of a deleted client: an ending reason with its date, and a course summary
-- (first and last scores only), neither with any link to the person.
CREATE TABLE pooled_endings (
    id TEXT PRIMARY KEY,
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    ended_at BIGINT NOT NULL
);
CREATE INDEX pooled_endings_therapist ON pooled_endings (therapist_id);

CREATE TABLE pooled_courses (
    id TEXT PRIMARY KEY,
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    summary TEXT NOT NULL
);
CREATE INDEX pooled_courses_therapist ON pooled_courses (therapist_id);
