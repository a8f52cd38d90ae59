-- Rapport schema v15 (PostgreSQL). Keep in step with ../sqlite/0015_alert_acknowledgement.sql
-- (schema-parity test).
-- A therapist acknowledges an alert with a note of what they did ("called the client, safety
-- plan agreed"). The note is free text about a client, so it is sealed; acknowledging is
-- recorded in the client's audit log in the same transaction.
ALTER TABLE alerts ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE alerts ADD COLUMN ack_note BYTEA;
