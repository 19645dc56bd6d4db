-- Durable timers (the truth behind every scheduled action) and personal reminders.
BEGIN;

CREATE TABLE timers (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    guild_id     INTEGER,
    subject_id   INTEGER,          -- the row this timer acts on (a reminder, a session …)
    user_id      INTEGER,          -- whom it is for, when one person
    due_at       INTEGER NOT NULL, -- epoch seconds, UTC
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sending', 'sent', 'missed', 'cancelled', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    payload      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- The scheduler only ever looks for live timers by due time.
CREATE INDEX timers_live_by_due ON timers (due_at) WHERE state IN ('pending', 'sending');
CREATE INDEX timers_by_subject ON timers (kind, subject_id);

CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    guild_id    INTEGER,
    channel_id  INTEGER NOT NULL,  -- where it was set: the fallback when DMs are closed
    text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 1500),
    due_at      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX reminders_by_user ON reminders (user_id, due_at);

-- A deleted reminder (cancel, forget-me) can never fire.
CREATE TRIGGER reminders_cancel_timer AFTER DELETE ON reminders
BEGIN
    UPDATE timers SET state = 'cancelled', updated_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE kind = 'reminder' AND subject_id = OLD.id AND state IN ('pending', 'sending');
END;

PRAGMA user_version = 2;
COMMIT;
