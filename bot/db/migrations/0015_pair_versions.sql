-- `/pair find` keeps each server's profiles and constraints in memory between calls.
-- So that it never answers from a stale copy, whatever the code path or the process
-- that changed them, the database counts the changes, per server, in two counters (these
-- triggers): `profiles` goes up with every change to a pairing profile, `links` with
-- every change to who may be paired with whom (an exclusion, a pair's members, its
-- status or when it was made, a declined request). A call reads the two (one row by
-- key) and reads again only the part whose counter moved. No row yet: both 0.
BEGIN;

CREATE TABLE pair_versions (
    guild_id    INTEGER PRIMARY KEY,
    profiles    INTEGER NOT NULL DEFAULT 0,
    links       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TRIGGER pair_profiles_version_on_insert AFTER INSERT ON pair_profiles
BEGIN
    INSERT INTO pair_versions (guild_id, profiles) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET profiles = profiles + 1;
END;

CREATE TRIGGER pair_profiles_version_on_update AFTER UPDATE ON pair_profiles
BEGIN
    INSERT INTO pair_versions (guild_id, profiles) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET profiles = profiles + 1;
    INSERT INTO pair_versions (guild_id, profiles) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET profiles = profiles + 1;
END;

CREATE TRIGGER pair_profiles_version_on_delete AFTER DELETE ON pair_profiles
BEGIN
    INSERT INTO pair_versions (guild_id, profiles) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET profiles = profiles + 1;
END;

CREATE TRIGGER pair_exclusions_version_on_insert AFTER INSERT ON pair_exclusions
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

CREATE TRIGGER pair_exclusions_version_on_update AFTER UPDATE ON pair_exclusions
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

CREATE TRIGGER pair_exclusions_version_on_delete AFTER DELETE ON pair_exclusions
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

CREATE TRIGGER pair_members_version_on_insert AFTER INSERT ON pair_members
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

CREATE TRIGGER pair_members_version_on_update AFTER UPDATE ON pair_members
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

-- Also when a pair's deletion takes its members with it (ON DELETE CASCADE).
CREATE TRIGGER pair_members_version_on_delete AFTER DELETE ON pair_members
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

-- Not its thread: opening a pair's thread changes nothing `find` reads.
CREATE TRIGGER pairs_version_on_update AFTER UPDATE OF guild_id, status, created_at ON pairs
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

-- Only declined requests count (they keep two people apart for 12 weeks).
CREATE TRIGGER pair_requests_version_on_insert AFTER INSERT ON pair_requests
WHEN NEW.status = 'declined'
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

CREATE TRIGGER pair_requests_version_on_update AFTER UPDATE ON pair_requests
WHEN OLD.status = 'declined' OR NEW.status = 'declined'
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
    INSERT INTO pair_versions (guild_id, links) VALUES (NEW.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

CREATE TRIGGER pair_requests_version_on_delete AFTER DELETE ON pair_requests
WHEN OLD.status = 'declined'
BEGIN
    INSERT INTO pair_versions (guild_id, links) VALUES (OLD.guild_id, 1)
    ON CONFLICT (guild_id) DO UPDATE SET links = links + 1;
END;

PRAGMA user_version = 15;
COMMIT;
