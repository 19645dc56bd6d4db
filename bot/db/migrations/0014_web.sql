-- Nexus on the web (#11): which servers publish, who keeps their posts off the web,
-- the names the pages show, personal calendar feeds, and indexes for the archive pages.
BEGIN;

-- A server's opt-in (/nexus web state): nothing of it is served while off or absent.
-- The server's name is kept for page titles (Discord is not asked on every page view).
CREATE TABLE web_guilds (
    guild_id    INTEGER PRIMARY KEY,
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    changed_by  INTEGER,          -- the admin who last switched it; NULL after forget-me
    updated_at  INTEGER NOT NULL
) STRICT;

-- Members who keep their questions and answers off the web (/privacy web state:off),
-- in every server.
CREATE TABLE web_hidden_users (
    user_id     INTEGER PRIMARY KEY,
    hidden_at   INTEGER NOT NULL
) STRICT;

-- Questions whose asker had hidden them and then ran forget-me: the asker's id is
-- gone from the question, the choice to keep it off the web is not.
CREATE TABLE web_hidden_questions (
    question_id INTEGER PRIMARY KEY REFERENCES qa_questions (id) ON DELETE CASCADE
) STRICT;

-- The name the pages show for a member of a server on the web, as Discord last showed
-- it to the bot. Deleted by forget-me (the pages then say "a former member").
CREATE TABLE web_names (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX web_names_by_user ON web_names (user_id);

-- A member's secret calendar feed of the sessions they joined, per server: only the
-- SHA-256 of its token is stored, so the database alone cannot be used to read a feed.
-- Rotating replaces the row: the old token stops working at once.
CREATE TABLE calendar_feeds (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT;

CREATE INDEX calendar_feeds_by_user ON calendar_feeds (user_id);

-- The archive pages and API: a server's solved questions, newest solved first, in all
-- and by topic (keyset pagination walks these in order and stops at its page).
CREATE INDEX qa_questions_solved ON qa_questions (guild_id, resolved_at DESC, id DESC)
    WHERE status = 'solved';
CREATE INDEX qa_questions_solved_by_topic
    ON qa_questions (guild_id, topic, resolved_at DESC, id DESC)
    WHERE status = 'solved';

PRAGMA user_version = 14;
COMMIT;
