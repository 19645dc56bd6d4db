-- Announcements: drafts, scheduled and repeating posts, every message posted, the audit
-- trail, and the weekly digest's schedule.
BEGIN;

CREATE TABLE announcements (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    author_id       INTEGER,                          -- NULL after the author's forget-me
    author_name     TEXT NOT NULL,                    -- the signature, as shown when written
    channel_id      INTEGER NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    ping_role_id    INTEGER,                          -- the guild's id is @everyone
    status          TEXT NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'scheduled', 'posted', 'cancelled', 'deleted',
                                      'failed')),
    due_at          INTEGER,                          -- the next post, while scheduled
    repeat          TEXT NOT NULL DEFAULT 'none' CHECK (repeat IN ('none', 'daily', 'weekly')),
    zone            TEXT NOT NULL DEFAULT 'UTC',      -- repeats keep this zone's wall time
    occurrence      INTEGER NOT NULL DEFAULT 0,       -- posts made so far
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX announcements_by_guild ON announcements (guild_id, status);

-- Every message an announcement posted (a repeating one posts many), once per occurrence.
CREATE TABLE announcement_posts (
    id              INTEGER PRIMARY KEY,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    occurrence      INTEGER NOT NULL,
    published       INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    posted_at       INTEGER NOT NULL,
    deleted_at      INTEGER,
    UNIQUE (announcement_id, occurrence)
) STRICT;
CREATE INDEX announcement_posts_published ON announcement_posts (channel_id, posted_at)
    WHERE published = 1;

CREATE TABLE announcement_audit (
    id              INTEGER PRIMARY KEY,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    actor_id        INTEGER,                          -- NULL: the bot (a timer)
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX announcement_audit_by_announcement ON announcement_audit (announcement_id, at);

CREATE TABLE announcement_digests (
    guild_id        INTEGER PRIMARY KEY,
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    at_minute       INTEGER NOT NULL CHECK (at_minute BETWEEN 0 AND 1439),
    zone            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

PRAGMA user_version = 7;
COMMIT;
