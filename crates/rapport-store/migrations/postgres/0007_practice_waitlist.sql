-- Rapport schema v7 (PostgreSQL). Keep in step with ../sqlite/0007_practice_waitlist.sql
-- (schema-parity test).
-- A client can wait for a practice (any of its therapists) instead of one therapist: a waitlist
-- row names exactly one of therapist_id and practice_id.
ALTER TABLE waitlist ALTER COLUMN therapist_id DROP NOT NULL;
ALTER TABLE waitlist ADD COLUMN practice_id TEXT REFERENCES practices(id) ON DELETE CASCADE;
ALTER TABLE waitlist ADD CONSTRAINT waitlist_one_target CHECK ((therapist_id IS NULL) <> (practice_id IS NULL));
CREATE UNIQUE INDEX waitlist_one_waiting_practice ON waitlist (practice_id, client_id) WHERE status = 'waiting';
CREATE INDEX waitlist_practice_queue ON waitlist (practice_id, status, created_at);
