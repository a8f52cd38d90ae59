-- Rapport schema v4 (SQLite). Keep in step with ../postgres/0004_matching.sql (schema-parity test).
-- Matching: a client's saved preferences (a match request as JSON, without free text) and fit
-- profile (the style steered by past endings and who not to suggest again), their shortlist of
-- at most three therapists, and the intro-consultation requests sent from it.
CREATE TABLE match_preferences (
    client_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    request TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE fit_profiles (
    client_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- `place` 1-3 with one listing per place: the database itself keeps a shortlist at three, even
-- when two additions race.
CREATE TABLE shortlist (
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    listing_id TEXT NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    place BIGINT NOT NULL CHECK (place BETWEEN 1 AND 3),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, listing_id),
    UNIQUE (client_id, place)
);

-- One request per client and therapist; the optional message is client free text, sealed.
CREATE TABLE consultations (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    listing_id TEXT NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    message BLOB,
    created_at BIGINT NOT NULL,
    UNIQUE (client_id, listing_id)
);
CREATE INDEX consultations_listing ON consultations (listing_id, created_at);

-- Lets a running server pick up listings changed by another replica or by `directory import`.
CREATE INDEX listings_updated ON listings (updated_at);
