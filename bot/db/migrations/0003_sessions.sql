-- Study sessions: sessions (one row per occurrence), RSVPs with capacity and waitlist,
-- per-server reminder offsets and per-user reminder channel.
BEGIN;

CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    host_id           INTEGER,          -- NULL once the host used /privacy forget-me
    title             TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    topic             TEXT CHECK (topic IS NULL OR length(topic) BETWEEN 1 AND 100),
    description       TEXT CHECK (description IS NULL OR length(description) BETWEEN 1 AND 1000),
    starts_at         INTEGER NOT NULL, -- epoch seconds, UTC
    duration_min      INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 720),
    capacity          INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 500),
    repeat            TEXT NOT NULL DEFAULT 'none' CHECK (repeat IN ('none', 'daily', 'weekly')),
    zone              TEXT NOT NULL,    -- the series' IANA zone: recurrence keeps its wall time
    voice_channel_id  INTEGER,
    status            TEXT NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'live', 'ended', 'cancelled')),
    cancel_reason     TEXT CHECK (cancel_reason IS NULL OR length(cancel_reason) <= 500),
    -- A repeating session's next occurrence points back at this one; UNIQUE makes
    -- "create the next occurrence" happen at most once, however often a start retries.
    previous_id       INTEGER UNIQUE REFERENCES sessions (id) ON DELETE SET NULL,
    channel_id        INTEGER,          -- where the card is
    message_id        INTEGER,          -- the card
    thread_id         INTEGER,          -- the card's thread
    event_id          INTEGER,          -- the Discord scheduled event mirroring it
    sequence          INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),  -- bumped per edit
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

-- /session list and the id autocomplete: a server's open sessions by start time.
CREATE INDEX sessions_open_by_start ON sessions (guild_id, starts_at)
    WHERE status IN ('scheduled', 'live');
CREATE INDEX sessions_by_host ON sessions (host_id) WHERE host_id IS NOT NULL;

CREATE TABLE session_rsvps (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('going', 'waitlist')),
    position    INTEGER NOT NULL,  -- join order: the first waiter is promoted first
    joined_at   INTEGER NOT NULL,
    UNIQUE (session_id, user_id)
) STRICT;

CREATE INDEX session_rsvps_by_status ON session_rsvps (session_id, status, position);
CREATE INDEX session_rsvps_by_user ON session_rsvps (user_id);

-- Over capacity is impossible, whatever the code does: a place is taken only while
-- fewer than `capacity` are going.
CREATE TRIGGER session_rsvps_capacity_on_insert BEFORE INSERT ON session_rsvps
WHEN NEW.status = 'going'
BEGIN
    SELECT RAISE(ABORT, 'session full')
    WHERE (SELECT capacity FROM sessions WHERE id = NEW.session_id) IS NOT NULL
      AND (SELECT COUNT(*) FROM session_rsvps
           WHERE session_id = NEW.session_id AND status = 'going')
          >= (SELECT capacity FROM sessions WHERE id = NEW.session_id);
END;

CREATE TRIGGER session_rsvps_capacity_on_update BEFORE UPDATE OF status ON session_rsvps
WHEN NEW.status = 'going' AND OLD.status <> 'going'
BEGIN
    SELECT RAISE(ABORT, 'session full')
    WHERE (SELECT capacity FROM sessions WHERE id = NEW.session_id) IS NOT NULL
      AND (SELECT COUNT(*) FROM session_rsvps
           WHERE session_id = NEW.session_id AND status = 'going')
          >= (SELECT capacity FROM sessions WHERE id = NEW.session_id);
END;

CREATE TRIGGER sessions_capacity_not_below_going BEFORE UPDATE OF capacity ON sessions
WHEN NEW.capacity IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'capacity below attendees')
    WHERE (SELECT COUNT(*) FROM session_rsvps
           WHERE session_id = NEW.id AND status = 'going') > NEW.capacity;
END;

-- A deleted session can never fire a reminder, start or end.
CREATE TRIGGER sessions_cancel_timers AFTER DELETE ON sessions
BEGIN
    UPDATE timers SET state = 'cancelled', updated_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE kind IN ('session_reminder', 'session_start', 'session_end')
      AND subject_id = OLD.id AND state = 'pending';
END;

-- Per server: when reminders go out before a session ("86400,900" = 1 day, 15 minutes).
CREATE TABLE session_settings (
    guild_id          INTEGER PRIMARY KEY,
    reminder_offsets  TEXT NOT NULL,  -- seconds before the start, comma-separated
    updated_at        INTEGER NOT NULL
) STRICT;

-- Per user, in every server: how session reminders reach them. No row = 'channel'.
CREATE TABLE session_notify (
    user_id     INTEGER PRIMARY KEY,
    mode        TEXT NOT NULL CHECK (mode IN ('channel', 'dm', 'off')),
    updated_at  INTEGER NOT NULL
) STRICT;

PRAGMA user_version = 3;
COMMIT;
