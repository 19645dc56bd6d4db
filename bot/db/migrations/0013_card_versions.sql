-- A session card is refreshed after the answer, by a task that folds a burst of Joins
-- into a few edits. So that a stop or a kill between a change and the card's edit never
-- leaves the card behind for good, the database counts what the card shows: `version`
-- goes up with every change to the roster or to what the card says (these triggers,
-- whatever the code path), `card_version` is the version the card last showed. At start
-- the bot refreshes the cards whose `card_version` is behind.
--
-- The same triggers keep each session's head counts, so a Join, a card or a list reads
-- them in one row instead of counting a line that may be thousands long.
BEGIN;

ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN card_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN going_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN waiting_count INTEGER NOT NULL DEFAULT 0;

UPDATE sessions SET
    going_count = (SELECT COUNT(*) FROM session_rsvps r
                   WHERE r.session_id = sessions.id AND r.status = 'going'),
    waiting_count = (SELECT COUNT(*) FROM session_rsvps r
                     WHERE r.session_id = sessions.id AND r.status = 'waitlist');

CREATE TRIGGER session_rsvps_version_on_insert AFTER INSERT ON session_rsvps
BEGIN
    UPDATE sessions SET version = version + 1,
                        going_count = going_count + (NEW.status = 'going'),
                        waiting_count = waiting_count + (NEW.status = 'waitlist')
    WHERE id = NEW.session_id;
END;

CREATE TRIGGER session_rsvps_version_on_update AFTER UPDATE ON session_rsvps
BEGIN
    UPDATE sessions SET version = version + 1,
                        going_count = going_count - (OLD.status = 'going'),
                        waiting_count = waiting_count - (OLD.status = 'waitlist')
    WHERE id = OLD.session_id;
    UPDATE sessions SET going_count = going_count + (NEW.status = 'going'),
                        waiting_count = waiting_count + (NEW.status = 'waitlist')
    WHERE id = NEW.session_id;
END;

CREATE TRIGGER session_rsvps_version_on_delete AFTER DELETE ON session_rsvps
BEGIN
    UPDATE sessions SET version = version + 1,
                        going_count = going_count - (OLD.status = 'going'),
                        waiting_count = waiting_count - (OLD.status = 'waitlist')
    WHERE id = OLD.session_id;
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
