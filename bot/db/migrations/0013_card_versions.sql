-- A session card is refreshed after the answer, by a task that folds a burst of Joins
-- into a few edits. So that a stop or a kill between a change and the card's edit never
-- leaves the card behind for good, the database counts what the card shows: `version`
-- goes up with every change to the roster or to what the card says (these triggers,
-- whatever the code path), `card_version` is the version the card last showed. At start
-- the bot refreshes the cards whose `card_version` is behind.
BEGIN;

ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN card_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER session_rsvps_version_on_insert AFTER INSERT ON session_rsvps
BEGIN
    UPDATE sessions SET version = version + 1 WHERE id = NEW.session_id;
END;

CREATE TRIGGER session_rsvps_version_on_update AFTER UPDATE ON session_rsvps
BEGIN
    UPDATE sessions SET version = version + 1 WHERE id = NEW.session_id;
END;

CREATE TRIGGER session_rsvps_version_on_delete AFTER DELETE ON session_rsvps
BEGIN
    UPDATE sessions SET version = version + 1 WHERE id = OLD.session_id;
END;

CREATE TRIGGER sessions_version_on_update
AFTER UPDATE OF host_id, title, topic, description, starts_at, duration_min, capacity,
                voice_channel_id, status, cancel_reason, channel_id, message_id, thread_id
ON sessions
BEGIN
    UPDATE sessions SET version = version + 1 WHERE id = NEW.id;
END;

PRAGMA user_version = 13;
COMMIT;
