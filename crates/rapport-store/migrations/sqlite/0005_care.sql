-- Rapport schema v5 (SQLite). Keep in step with ../postgres/0005_care.sql (schema-parity test).
-- The care lifecycle: therapists' published weeks, appointments (and waitlist offers, which are
-- appointments held for one client until they expire), the waitlist, each relationship's stage,
-- referral requests and answers, calendar feed tokens, and the e-mail outbox.
-- Booleans are BIGINT 0/1 so that one query text decodes the same on both databases.

-- Local time is a fixed offset from UTC in minutes (no time-zone database; see core::care).
CREATE TABLE care_settings (
    therapist_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    utc_offset_minutes BIGINT NOT NULL,
    notice_hours BIGINT NOT NULL,
    session_minutes BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE care_availability (
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day BIGINT NOT NULL CHECK (day BETWEEN 0 AND 6),
    hour BIGINT NOT NULL CHECK (hour BETWEEN 0 AND 23),
    PRIMARY KEY (therapist_id, day, hour)
);

-- `held` rows are waitlist offers (client_id = the person offered, until hold_expires_at);
-- `lapsed` ones expired or were declined. The partial unique index is what makes a double
-- booking impossible: one held-or-booked row per therapist and start time, on both databases,
-- whatever the interleaving of concurrent requests.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('consultation', 'session', 'closing')),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'booked', 'cancelled', 'lapsed', 'missed')),
    series_id TEXT,
    waitlist_id TEXT,
    hold_expires_at BIGINT,
    cancelled_by TEXT,
    cancelled_at BIGINT,
    cancel_message BLOB,
    late_cancel BIGINT NOT NULL DEFAULT 0,
    reminded_at BIGINT,
    followed_up_at BIGINT,
    sequence BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointments_one_per_slot ON appointments (therapist_id, starts_at) WHERE status IN ('held', 'booked');
CREATE INDEX appointments_client ON appointments (client_id, starts_at);
CREATE INDEX appointments_therapist ON appointments (therapist_id, starts_at);

-- `days` holds the weekday digits the client can make (0 = Monday), '' for any day.
CREATE TABLE waitlist (
    id TEXT PRIMARY KEY,
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    days TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'placed', 'left')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX waitlist_one_waiting ON waitlist (therapist_id, client_id) WHERE status = 'waiting';
CREATE INDEX waitlist_queue ON waitlist (therapist_id, status, created_at);

-- A relationship without a row here is active (recorded by hand by a client already in therapy).
-- `ending_reason` is the client's private reason: no query made for a therapist selects it.
CREATE TABLE care_stages (
    relationship_id TEXT PRIMARY KEY REFERENCES relationships(id) ON DELETE CASCADE,
    stage TEXT NOT NULL CHECK (stage IN ('consultation', 'active', 'ending', 'ended')),
    ended_by TEXT CHECK (ended_by IN ('client', 'therapist')),
    ended_at BIGINT,
    ending_reason TEXT,
    closing_requested BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- One referral request per relationship; the therapist's note is sealed, the suggestions are a
-- JSON list of directory listing ids.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL UNIQUE REFERENCES relationships(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    therapist_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requested_at BIGINT NOT NULL,
    answered_at BIGINT,
    note BLOB,
    listing_ids TEXT
);
CREATE INDEX referrals_therapist ON referrals (therapist_id, requested_at);

-- Only a SHA-256 hash of each feed's secret token is kept; replacing the row revokes the old URL.
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- E-mail waiting to go out. Bodies are sealed; the address is read from users at delivery time.
-- A worker leases a row (lease_owner, lease_until) before sending, so two workers never send
-- one message; a failed attempt sets next_attempt_at with exponential backoff.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id, created_at);
