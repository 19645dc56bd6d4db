-- `/pair find`'s per-server counters, as on SQLite (migrations/0015_pair_versions.sql):
-- `profiles` goes up with every change to a pairing profile, `links` with every change
-- to who may be paired with whom, whatever the code path or the process (several shard
-- processes share one database). No row yet: both 0.

CREATE TABLE pair_versions (
    guild_id    BIGINT PRIMARY KEY,
    profiles    BIGINT NOT NULL DEFAULT 0,
    links       BIGINT NOT NULL DEFAULT 0
);

-- `pair_profiles` moves `profiles`; every other table `links`.
CREATE FUNCTION pair_versions_bump(guild BIGINT, profile BOOLEAN) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO pair_versions (guild_id, profiles, links)
    VALUES (guild, profile::int, (NOT profile)::int)
    ON CONFLICT (guild_id) DO UPDATE
    SET profiles = pair_versions.profiles + profile::int,
        links = pair_versions.links + (NOT profile)::int;
$$;

CREATE FUNCTION pair_versions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pair_versions_bump(OLD.guild_id, TG_TABLE_NAME = 'pair_profiles');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pair_versions_bump(NEW.guild_id, TG_TABLE_NAME = 'pair_profiles');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pair_profiles_version_on_insert AFTER INSERT ON pair_profiles
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_profiles_version_on_update AFTER UPDATE ON pair_profiles
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_profiles_version_on_delete AFTER DELETE ON pair_profiles
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();

CREATE TRIGGER pair_exclusions_version_on_insert AFTER INSERT ON pair_exclusions
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_exclusions_version_on_update AFTER UPDATE ON pair_exclusions
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_exclusions_version_on_delete AFTER DELETE ON pair_exclusions
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();

CREATE TRIGGER pair_members_version_on_insert AFTER INSERT ON pair_members
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_members_version_on_update AFTER UPDATE ON pair_members
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();
-- Also when a pair's deletion takes its members with it (ON DELETE CASCADE).
CREATE TRIGGER pair_members_version_on_delete AFTER DELETE ON pair_members
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();

-- Not its thread: opening a pair's thread changes nothing `find` reads.
CREATE TRIGGER pairs_version_on_update AFTER UPDATE OF guild_id, status, created_at ON pairs
    FOR EACH ROW EXECUTE FUNCTION pair_versions_changed();

-- Only declined requests count (they keep two people apart for 12 weeks).
CREATE TRIGGER pair_requests_version_on_insert AFTER INSERT ON pair_requests
    FOR EACH ROW WHEN (NEW.status = 'declined') EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_requests_version_on_update AFTER UPDATE ON pair_requests
    FOR EACH ROW WHEN (OLD.status = 'declined' OR NEW.status = 'declined')
    EXECUTE FUNCTION pair_versions_changed();
CREATE TRIGGER pair_requests_version_on_delete AFTER DELETE ON pair_requests
    FOR EACH ROW WHEN (OLD.status = 'declined') EXECUTE FUNCTION pair_versions_changed();
