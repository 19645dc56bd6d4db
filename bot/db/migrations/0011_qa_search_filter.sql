-- Q&A search checks each candidate's server, status and topic by its id in this narrow
-- index (a few bytes a question) instead of in the table's rows or through the index's
-- scope tokens: ranking then never scans the server's whole token list (see
-- bot/db/qa_search.py).
BEGIN;

CREATE INDEX qa_questions_filter ON qa_questions (id, guild_id, status, topic);

PRAGMA user_version = 11;
COMMIT;
