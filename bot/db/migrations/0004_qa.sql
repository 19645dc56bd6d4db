-- Q&A threads: questions with their full-text index, pending drafts, helper credits,
-- topic subscriptions and per-server timings.
BEGIN;

-- Per-server timings of the automatic Q&A timers, in seconds.
CREATE TABLE qa_settings (
    guild_id          INTEGER PRIMARY KEY,
    unanswered_after  INTEGER NOT NULL DEFAULT 21600 CHECK (unanswered_after >= 60),
    nudge_after       INTEGER NOT NULL DEFAULT 86400 CHECK (nudge_after >= 60),
    dormant_after     INTEGER NOT NULL DEFAULT 259200 CHECK (dormant_after >= 60),
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE qa_questions (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    channel_id         INTEGER NOT NULL,          -- the Q&A forum or text channel
    thread_id          INTEGER NOT NULL UNIQUE,   -- the post / thread
    opener_id          INTEGER NOT NULL,          -- the opener message
    asker_id           INTEGER,                   -- NULL once the asker used forget-me
    topic              TEXT NOT NULL CHECK (topic IN (
                           'python', 'django', 'rest-api', 'graphql', 'databases', 'async',
                           'caching', 'auth', 'docker', 'ci-cd', 'testing', 'frontend',
                           'career', 'other')),
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'solved', 'closed')),
    close_reason       TEXT CHECK (close_reason IN ('duplicate', 'off-topic', 'stale')),
    duplicate_of       INTEGER,                   -- thread id of the original
    answer_message_id  INTEGER,
    answerer_id        INTEGER,
    resolved_by        INTEGER,                   -- who marked it solved or closed it
    resolved_at        INTEGER,
    asked_at           INTEGER NOT NULL,
    last_activity_at   INTEGER NOT NULL,
    first_reply_at     INTEGER,                   -- first message by someone other than the asker
    escalation         INTEGER NOT NULL DEFAULT 0 CHECK (escalation BETWEEN 0 AND 2),
    nudged             INTEGER NOT NULL DEFAULT 0 CHECK (nudged IN (0, 1)),
    nudge_timer_id     INTEGER,
    dormant_timer_id   INTEGER,
    -- The text last: filters above never read past a long question.
    title              TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body               TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    summary            TEXT CHECK (summary IS NULL OR length(summary) BETWEEN 1 AND 200),
    -- Server, status and topic as search tokens ("g123 ssolved tdjango"), so the
    -- full-text index itself narrows a search to one server, status or topic.
    scope              TEXT GENERATED ALWAYS AS (
                           'g' || guild_id || ' s' || status || ' t' || replace(topic, '-', '')
                       ) VIRTUAL,
    CHECK ((status = 'closed') = (close_reason IS NOT NULL)),
    CHECK (close_reason = 'duplicate' OR duplicate_of IS NULL)
) STRICT;

CREATE INDEX qa_questions_open ON qa_questions (guild_id, status, asked_at);
CREATE INDEX qa_questions_by_asker ON qa_questions (asker_id) WHERE asker_id IS NOT NULL;
CREATE INDEX qa_questions_by_answerer ON qa_questions (answerer_id) WHERE answerer_id IS NOT NULL;

-- Full-text index over titles, questions and solution summaries, plus the scope tokens
-- (external content: the text lives once, in qa_questions; triggers keep the index in step).
CREATE VIRTUAL TABLE qa_fts USING fts5(
    title, body, summary, scope,
    content = 'qa_questions',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER qa_questions_fts_insert AFTER INSERT ON qa_questions
BEGIN
    INSERT INTO qa_fts (rowid, title, body, summary, scope)
    VALUES (NEW.id, NEW.title, NEW.body, NEW.summary, NEW.scope);
END;

CREATE TRIGGER qa_questions_fts_delete AFTER DELETE ON qa_questions
BEGIN
    INSERT INTO qa_fts (qa_fts, rowid, title, body, summary, scope)
    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.summary, OLD.scope);
END;

CREATE TRIGGER qa_questions_fts_update
AFTER UPDATE OF title, body, summary, status, topic ON qa_questions
BEGIN
    INSERT INTO qa_fts (qa_fts, rowid, title, body, summary, scope)
    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.summary, OLD.scope);
    INSERT INTO qa_fts (rowid, title, body, summary, scope)
    VALUES (NEW.id, NEW.title, NEW.body, NEW.summary, NEW.scope);
END;

-- A deleted question can never fire a Q&A timer.
CREATE TRIGGER qa_questions_cancel_timers AFTER DELETE ON qa_questions
BEGIN
    UPDATE timers SET state = 'cancelled', updated_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE kind IN ('qa_unanswered', 'qa_nudge', 'qa_dormant') AND subject_id = OLD.id
      AND state = 'pending';
END;

-- A question shown with similar solved ones, waiting for "Post anyway".
CREATE TABLE qa_drafts (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    topic       TEXT NOT NULL,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX qa_drafts_by_age ON qa_drafts (created_at);
CREATE INDEX qa_drafts_by_user ON qa_drafts (user_id);

-- One credit per solved question: its answerer, for the leaderboard.
CREATE TABLE qa_credits (
    question_id  INTEGER PRIMARY KEY REFERENCES qa_questions (id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    helper_id    INTEGER NOT NULL,
    credited_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX qa_credits_board ON qa_credits (guild_id, credited_at);
CREATE INDEX qa_credits_by_helper ON qa_credits (helper_id);

-- Topics a helper wants to be pinged for, per server.
CREATE TABLE qa_subscriptions (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    topic       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, topic, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX qa_subscriptions_by_user ON qa_subscriptions (user_id);

PRAGMA user_version = 4;
COMMIT;
