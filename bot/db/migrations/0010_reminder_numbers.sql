-- Reminders numbered per person (#1, #2 … for each user, never another person's id),
-- and marked done from the delivered message's button. The table is rebuilt so that
-- the number is NOT NULL and unique per user; existing reminders are numbered in the
-- order they were set.
BEGIN;

CREATE TABLE reminders_numbered (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    number      INTEGER NOT NULL CHECK (number >= 1),  -- the user's own numbering
    guild_id    INTEGER,
    channel_id  INTEGER NOT NULL,  -- where it was set: the link back, and the fallback
    text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 1500),
    due_at      INTEGER NOT NULL,  -- the next (or last) delivery; a snooze moves it
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,           -- Done pressed: no more snoozes
    UNIQUE (user_id, number)
) STRICT;

INSERT INTO reminders_numbered
    (id, user_id, number, guild_id, channel_id, text, due_at, created_at)
SELECT id, user_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY id),
       guild_id, channel_id, text, due_at, created_at
FROM reminders;

DROP TABLE reminders;
ALTER TABLE reminders_numbered RENAME TO reminders;

CREATE INDEX reminders_by_user ON reminders (user_id, due_at);

-- A deleted reminder (cancel, forget-me) can never fire.
CREATE TRIGGER reminders_cancel_timer AFTER DELETE ON reminders
BEGIN
    UPDATE timers SET state = 'cancelled', updated_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE kind = 'reminder' AND subject_id = OLD.id AND state IN ('pending', 'sending');
END;

PRAGMA user_version = 10;
COMMIT;
