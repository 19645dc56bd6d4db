-- Settings per feature: every channel and role is optional, so a server can use Q&A
-- without configuring pairing, say. SQLite cannot drop NOT NULL in place: rebuild.
BEGIN;

CREATE TABLE guild_settings_next (
    guild_id                  INTEGER PRIMARY KEY,
    qa_channel_id             INTEGER,
    sessions_channel_id       INTEGER,
    announcements_channel_id  INTEGER,
    pairing_channel_id        INTEGER,
    mentor_role_id            INTEGER,
    helper_role_id            INTEGER,
    timezone                  TEXT NOT NULL DEFAULT 'UTC',
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
) STRICT;

INSERT INTO guild_settings_next (
    guild_id, qa_channel_id, sessions_channel_id, announcements_channel_id,
    pairing_channel_id, mentor_role_id, helper_role_id, timezone, created_at, updated_at
)
SELECT guild_id, qa_channel_id, sessions_channel_id, announcements_channel_id,
       pairing_channel_id, mentor_role_id, helper_role_id, timezone, created_at, updated_at
FROM guild_settings;

DROP TABLE guild_settings;
ALTER TABLE guild_settings_next RENAME TO guild_settings;

PRAGMA user_version = 5;
COMMIT;
