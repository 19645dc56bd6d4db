-- The search index of the Q&A archive lives in each bot process's memory, built from
-- qa_questions at start. This log tells every process what changed since: triggers add
-- a row for each insert, edit (of what search reads) and delete of a question, whatever
-- the code path or process, and a search first applies the rows past the last one it
-- applied. The log keeps the last 10,000 changes at least; an index further behind is
-- rebuilt.
BEGIN;

CREATE TABLE qa_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id INTEGER NOT NULL
) STRICT;

CREATE TRIGGER qa_changes_on_insert AFTER INSERT ON qa_questions
BEGIN
    INSERT INTO qa_changes (question_id) VALUES (NEW.id);
END;

CREATE TRIGGER qa_changes_on_update
AFTER UPDATE OF guild_id, title, body, summary, status, topic ON qa_questions
BEGIN
    INSERT INTO qa_changes (question_id) VALUES (NEW.id);
END;

CREATE TRIGGER qa_changes_on_delete AFTER DELETE ON qa_questions
BEGIN
    INSERT INTO qa_changes (question_id) VALUES (OLD.id);
END;

CREATE TRIGGER qa_changes_trim AFTER INSERT ON qa_changes WHEN NEW.id % 1000 = 0
BEGIN
    DELETE FROM qa_changes WHERE id <= NEW.id - 10000;
END;

PRAGMA user_version = 16;
COMMIT;
