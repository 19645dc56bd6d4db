-- The head of a session's going list and waitlist from the index alone (see the
-- SQLite migration of the same number).
DROP INDEX session_rsvps_by_status;
CREATE INDEX session_rsvps_by_status ON session_rsvps (session_id, status, position, user_id);
