-- Rapport schema v11 (SQLite). Keep in step with ../postgres/0011_outbox_practice.sql
-- (schema-parity test).
-- Each outbox row is filed under a practice when it is queued (the practice of the therapist the
-- mail is about, or of a staff recipient), and a practice's administrators see only its own rows.
-- Mail about a therapist outside any practice is filed under none and no administrator sees it.
-- Rows queued before this migration are filed under their recipient's practice when the
-- recipient is staff; mail to clients then carried no therapist, so it is filed under none.
ALTER TABLE outbox ADD COLUMN practice_id TEXT REFERENCES practices(id) ON DELETE SET NULL;
UPDATE outbox SET practice_id = (SELECT m.practice_id FROM practice_members m WHERE m.user_id = outbox.user_id);
CREATE INDEX outbox_practice ON outbox (practice_id, created_at);
