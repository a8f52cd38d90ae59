-- Rapport schema v9 (PostgreSQL). Keep in step with ../sqlite/0009_token_expiry.sql
-- (schema-parity test).
-- Personal access tokens expire (90 days unless chosen shorter at creation), so a forgotten
-- token in a script or a leaked one stops working on its own. Tokens made before this
-- migration get 90 days from their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET expires_at = created_at + 7776000000;
