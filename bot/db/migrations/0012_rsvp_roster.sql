-- A session's roster in join order straight from one index, without a sort or a read of
-- each row: /session info and every card refresh read the whole line, which can be
-- thousands of people long.
BEGIN;

CREATE INDEX session_rsvps_roster ON session_rsvps (session_id, position, status, user_id);

PRAGMA user_version = 12;
COMMIT;
