-- Rapport schema v7 (SQLite). Keep in step with ../postgres/0007_practice_waitlist.sql
-- (schema-parity test).
-- A client can wait for a practice (any of its therapists) instead of one therapist: a waitlist
-- row names exactly one of therapist_id and practice_id. SQLite cannot relax a NOT NULL column,
-- so the table is rebuilt (nothing references it by foreign key) with the same columns in the
-- same order and practice_id added last, as PostgreSQL's ALTER TABLE leaves it.
CREATE TABLE waitlist_v7 (
    id TEXT PRIMARY KEY,
    therapist_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    days TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'placed', 'left')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    practice_id TEXT REFERENCES practices(id) ON DELETE CASCADE,
    CONSTRAINT waitlist_one_target CHECK ((therapist_id IS NULL) <> (practice_id IS NULL))
);
INSERT INTO waitlist_v7 (id, therapist_id, client_id, days, status, created_at, updated_at)
    SELECT id, therapist_id, client_id, days, status, created_at, updated_at FROM waitlist;
DROP TABLE waitlist;
ALTER TABLE waitlist_v7 RENAME TO waitlist;
CREATE UNIQUE INDEX waitlist_one_waiting ON waitlist (therapist_id, client_id) WHERE status = 'waiting';
CREATE INDEX waitlist_queue ON waitlist (therapist_id, status, created_at);
CREATE UNIQUE INDEX waitlist_one_waiting_practice ON waitlist (practice_id, client_id) WHERE status = 'waiting';
CREATE INDEX waitlist_practice_queue ON waitlist (practice_id, status, created_at);
