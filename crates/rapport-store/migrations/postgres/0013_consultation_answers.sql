-- Rapport schema v13. Keep in step with ../sqlite/0013_consultation_answers.sql (schema-parity test).
-- An intro-consultation request now has an answer the client sees: 'sent' until the therapist
-- answers, then 'offered' (with the start they proposed, which the client books like any free
-- time) or 'declined' (with a kind message). The therapist's reply is free text, sealed.
ALTER TABLE consultations ADD COLUMN status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'offered', 'declined'));
ALTER TABLE consultations ADD COLUMN answered_at BIGINT;
ALTER TABLE consultations ADD COLUMN offered_start BIGINT;
ALTER TABLE consultations ADD COLUMN reply BYTEA;
