-- Rapport schema v3 (SQLite). Keep in step with ../postgres/0003_instruments.sql (schema-parity test).
-- Completed measures (PHQ-9, GAD-7, C-NIP, and licensed measures once their text is installed).
-- Answers are the parsed item values as JSON (numbers, option codes, yes/no: never free text);
-- scores are the scored result shown to the client, kept as given at the time.
CREATE TABLE instrument_responses (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    instrument_id TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    answers TEXT NOT NULL,
    scores TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX instrument_responses_client ON instrument_responses (client_id, created_at);

-- Licensed item text a site installed (WAI-SR, SRS, ORS): a JSON object of item id to text,
-- kept in the database so every server replica offers the same instruments.
CREATE TABLE instrument_texts (
    instrument_id TEXT PRIMARY KEY,
    contents TEXT NOT NULL,
    installed_at BIGINT NOT NULL
);
