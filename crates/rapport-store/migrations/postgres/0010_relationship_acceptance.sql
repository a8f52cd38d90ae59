-- Rapport schema v10 (PostgreSQL). Keep in step with ../sqlite/0010_relationship_acceptance.sql
-- (schema-parity test).
-- A relationship reaches its therapist (caseload, alerts, outcomes, effectiveness, practice
-- figures, endings, referrals, e-mail) only once the therapist has accepted it, or an
-- appointment with them took place; until then it is the client's alone. Declining keeps the
-- client's rows and only records that the therapist said no, so it never shows as waiting again.
-- Relationships recorded before this migration predate the rule and are taken as accepted.
ALTER TABLE relationships ADD COLUMN accepted_at BIGINT;
ALTER TABLE relationships ADD COLUMN declined_at BIGINT;
UPDATE relationships SET accepted_at = created_at;
CREATE INDEX relationships_waiting ON relationships (therapist_user_id, created_at) WHERE accepted_at IS NULL AND declined_at IS NULL;
