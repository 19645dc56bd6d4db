-- Foundation: per-server settings, per-user preferences, and bot-wide key/value state.
BEGIN;

CREATE TABLE guild_settings (
    guild_id                  INTEGER PRIMARY KEY,
    qa_channel_id             INTEGER NOT NULL,
    sessions_channel_id       INTEGER NOT NULL,
    announcements_channel_id  INTEGER NOT NULL,
    pairing_channel_id        INTEGER NOT NULL,
    mentor_role_id            INTEGER NOT NULL,
    helper_role_id            INTEGER,
    timezone                  TEXT NOT NULL DEFAULT 'UTC',
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
) STRICT;

-- Preferences that follow a user across servers.
CREATE TABLE user_settings (
    user_id                   INTEGER PRIMARY KEY,
    timezone                  TEXT,
    -- When the user was last told that their DMs are closed, so it is said once.
    dm_closed_notified_at     INTEGER,
    -- The bot's DM channel with the user: stable, so it is created once, not per DM.
    dm_channel_id             INTEGER,
    updated_at                INTEGER NOT NULL
) STRICT;

-- Small bot-wide facts, such as the hash of the last synced command set.
CREATE TABLE app_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

PRAGMA user_version = 1;
COMMIT;
