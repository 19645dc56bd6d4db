-- Q&A for learners (#10): posts members open directly in the Q&A forum are questions
-- too, "Still need help" puts a question back on the unanswered list, and a question
-- nobody answered is not closed as stale before its asker was asked.
BEGIN;

-- 'ask': posted by the bot for /ask (its opener is the bot's, with an Edit button);
-- 'forum': a post a member opened in the Q&A forum (the opener is the member's own).
ALTER TABLE qa_questions ADD COLUMN origin TEXT NOT NULL DEFAULT 'ask'
    CHECK (origin IN ('ask', 'forum'));
-- The bot's one reply in a member's own post (similar questions, how to mark a
-- solution); NULL until it is sent.
ALTER TABLE qa_questions ADD COLUMN hint_message_id INTEGER;
-- When the asker last pressed "Still need help" and nobody has replied since: such a
-- question is listed first by /qa unanswered.
ALTER TABLE qa_questions ADD COLUMN needs_help_at INTEGER;
-- The dormant timer that asked the asker of a question without replies whether it is
-- still needed (instead of closing it); NULL while they have not been asked.
ALTER TABLE qa_questions ADD COLUMN check_timer_id INTEGER;

CREATE INDEX qa_questions_hint_pending ON qa_questions (guild_id)
    WHERE origin = 'forum' AND hint_message_id IS NULL;

PRAGMA user_version = 9;
COMMIT;
