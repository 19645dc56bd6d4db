-- Discord writes the database must know about, recorded before they are made: a card,
-- a forum post, a thread. A row here is a write that may or may not have reached
-- Discord; it is deleted once the result is stored, and reconciled at start otherwise.
BEGIN;

CREATE TABLE discord_intents (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,                    -- 'session_card', 'qa_post', …
    subject_id      INTEGER,                          -- the row it is for, when one exists
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,                 -- where the write goes
    user_id         INTEGER,                          -- on whose behalf (forget-me erases)
    nonce           TEXT,                             -- a message's nonce
    name            TEXT,                             -- a thread's name (threads take no nonce)
    payload         TEXT NOT NULL DEFAULT '{}',       -- what completing it needs, as JSON
    created_at      INTEGER NOT NULL,
    UNIQUE (kind, subject_id)
) STRICT;
CREATE INDEX discord_intents_by_guild ON discord_intents (guild_id, kind);

PRAGMA user_version = 8;
COMMIT;
