-- Pairing: profiles, requests, pairs and trios (from requests or rounds), check-ins,
-- private exclusions, rounds and their schedule.
BEGIN;

CREATE TABLE pair_profiles (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    track           TEXT NOT NULL CHECK (track IN ('frontend', 'backend', 'fullstack')),
    skills          TEXT NOT NULL DEFAULT '[]',       -- JSON list, normalised
    looking_for     TEXT NOT NULL DEFAULT 'any'
                    CHECK (looking_for IN ('project', 'study-buddy', 'code-review', 'any')),
    availability    TEXT,                             -- as typed, shown back
    windows         TEXT NOT NULL DEFAULT '[]',       -- JSON [[weekday, start, end]] minutes, local
    zone            TEXT NOT NULL DEFAULT 'UTC',      -- the zone the windows are local to
    bio             TEXT,
    available       INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
    snoozed_until   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT;

CREATE TABLE pair_requests (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    from_id         INTEGER NOT NULL,
    to_id           INTEGER NOT NULL,
    message         TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    channel_id      INTEGER,                          -- the request post, once sent
    message_id      INTEGER,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    CHECK (from_id <> to_id)
) STRICT;

-- One open request between two people at a time, whichever way round.
CREATE UNIQUE INDEX pair_requests_one_pending ON pair_requests (
    guild_id, min(from_id, to_id), max(from_id, to_id)
) WHERE status = 'pending';
CREATE INDEX pair_requests_by_target ON pair_requests (guild_id, to_id, status);

CREATE TABLE pair_rounds (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    started_by      INTEGER,                          -- NULL: a scheduled round
    timer_id        INTEGER UNIQUE,                   -- the scheduled round's timer
    status          TEXT NOT NULL DEFAULT 'opening' CHECK (status IN ('opening', 'done')),
    learners        INTEGER NOT NULL,
    total_score     INTEGER NOT NULL,
    shuffle_score   INTEGER NOT NULL,
    unpaired        TEXT NOT NULL DEFAULT '[]',       -- JSON [[user_id, reason]]
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
) STRICT;

-- A pair or a trio, from an accepted request or a round.
CREATE TABLE pairs (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    round_id        INTEGER REFERENCES pair_rounds (id) ON DELETE SET NULL,
    request_id      INTEGER UNIQUE REFERENCES pair_requests (id) ON DELETE SET NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    score           INTEGER NOT NULL DEFAULT 0,
    -- The private thread: its name is the intent (found again after a crash), its id
    -- is recorded once it exists.
    thread_name     TEXT NOT NULL,
    thread_id       INTEGER,
    created_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    ended_by        INTEGER
) STRICT;
CREATE INDEX pairs_opening ON pairs (guild_id) WHERE thread_id IS NULL;

CREATE TABLE pair_members (
    pair_id         INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    PRIMARY KEY (pair_id, user_id)
) STRICT;
CREATE INDEX pair_members_by_user ON pair_members (guild_id, user_id);

CREATE TABLE pair_checkins (
    pair_id         INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    answer          TEXT NOT NULL CHECK (answer IN ('met', 'not_yet', 'didnt_work')),
    answered_at     INTEGER NOT NULL,
    PRIMARY KEY (pair_id, user_id)
) STRICT;

-- Never matched with that person; shown to nobody but its author.
CREATE TABLE pair_exclusions (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    excluded_id     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, excluded_id),
    CHECK (user_id <> excluded_id)
) STRICT;

-- Automatic rounds: weekly at a wall time in the server's zone.
CREATE TABLE pair_schedules (
    guild_id        INTEGER PRIMARY KEY,
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    at_minute       INTEGER NOT NULL CHECK (at_minute BETWEEN 0 AND 1439),
    zone            TEXT NOT NULL,
    timer_id        INTEGER,
    updated_at      INTEGER NOT NULL
) STRICT;

PRAGMA user_version = 6;
COMMIT;
