from __future__ import annotations

import pytest

from bot.errors import InvalidInput, NotConfigured
from bot.services import setup_check
from bot.services.container import Services

GUILD = 1


async def save(services: Services, timezone: str | None = None):
    return await services.guilds.save(
        GUILD,
        qa_channel_id=10,
        sessions_channel_id=11,
        announcements_channel_id=12,
        pairing_channel_id=13,
        mentor_role_id=20,
        helper_role_id=None,
        timezone=timezone,
    )


async def test_require_before_setup(services: Services) -> None:
    with pytest.raises(NotConfigured, match="`/nexus setup sessions_channel`"):
        await services.guilds.require(GUILD, "sessions_channel")


async def test_settings_per_feature(services: Services) -> None:
    """Each option is stored on its own; a later setup changes only what it names."""
    only_qa = await services.guilds.save(GUILD, qa_channel_id=10)
    assert (only_qa.qa_channel_id, only_qa.sessions_channel_id, only_qa.mentor_role_id) == (
        10,
        None,
        None,
    )
    assert await services.guilds.require(GUILD, "qa_forum") == 10
    with pytest.raises(
        NotConfigured, match=r"no pairing channel yet.*`/nexus setup pairing_channel`"
    ):
        await services.guilds.require(GUILD, "pairing_channel")
    both = await services.guilds.save(GUILD, pairing_channel_id=13, mentor_role_id=None)
    assert (both.qa_channel_id, both.pairing_channel_id) == (10, 13)
    services.guilds._cache.clear()  # read back from the database, not the cache
    stored = await services.guilds.get(GUILD)
    assert stored is not None
    assert (stored.qa_channel_id, stored.pairing_channel_id, stored.mentor_role_id) == (
        10,
        13,
        None,
    )


async def test_save_resolves_timezone_and_keeps_it(services: Services) -> None:
    saved = await save(services, timezone="lagos")
    assert saved.timezone == "Africa/Lagos"
    again = await save(services)  # no timezone given: keep the previous one
    assert again.timezone == "Africa/Lagos"
    stored = await services.guilds.get(GUILD)
    assert stored is not None
    assert stored.mentor_role_id == 20


async def test_unknown_timezone_is_refused(services: Services) -> None:
    with pytest.raises(InvalidInput, match="blursville"):
        await save(services, timezone="blursville")


async def test_effective_zone_order(services: Services) -> None:
    assert (await services.preferences.effective_zone(5, GUILD)).source == "default"
    await save(services, timezone="Asia/Kolkata")
    zone = await services.preferences.effective_zone(5, GUILD)
    assert (zone.source, zone.zone.key) == ("server", "Asia/Kolkata")
    await services.preferences.set_timezone(5, "new york")
    zone = await services.preferences.effective_zone(5, GUILD)
    assert (zone.source, zone.zone.key) == ("yours", "America/New_York")


async def test_dm_closed_notice_once(services: Services) -> None:
    assert await services.preferences.should_tell_dm_closed(5)
    assert not await services.preferences.should_tell_dm_closed(5)
    assert await services.preferences.should_tell_dm_closed(6)


def test_permission_check_names_what_is_missing() -> None:
    granted = {"view_channel", "send_messages", "embed_links", "read_message_history"}
    result = setup_check.check("sessions_channel", 11, granted)
    assert not result.ok
    assert set(result.missing) == {
        "send_messages_in_threads",
        "manage_threads",
        "create_public_threads",
    }
    assert result.missing_optional == ("pin_messages",)
    announcements = setup_check.check("announcements_channel", 12, granted)
    assert announcements.ok
    assert announcements.missing_optional == ("mention_everyone",)


def test_a_role_is_heard_when_mentionable_or_with_mention_everyone() -> None:
    roles = {1: True, 2: False, 3: False}
    without = setup_check.check_role_pings(10, roles, {"view_channel", "send_messages"})
    assert (without.ok, without.silent, without.channel_id) == (False, (2, 3), 10)
    granted = setup_check.check_role_pings(10, roles, {"send_messages", "mention_everyone"})
    assert granted.ok and granted.silent == ()
    assert setup_check.check_role_pings(10, {1: True}, set()).ok


def test_the_readme_invite_asks_exactly_what_the_features_use() -> None:
    import re
    from pathlib import Path

    import discord

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    wanted = discord.Permissions(**dict.fromkeys(setup_check.invite_permissions(), True))
    found = re.search(r"permissions=(\d+)", readme)
    assert found is not None
    assert int(found[1]) == wanted.value


def test_privacy_labels_are_unique(services: Services) -> None:
    with pytest.raises(ValueError, match="already registered"):
        services.privacy.register_rows("other", "reminders", "reminders", "user_id")


async def remind(services: Services, user_id: int) -> None:
    await services.reminders.create(
        user_id=user_id, guild_id=None, channel_id=30, when="in 1 hour", what="stretch"
    )


async def test_privacy_remove_drops_exactly_that_owners_data(services: Services) -> None:
    privacy = services.privacy
    called: list[tuple[str, int]] = []

    async def hook_of(owner: str, user_id: int) -> None:
        called.append((owner, user_id))

    privacy.after_forget("remind", lambda user_id: hook_of("remind", user_id))
    privacy.after_forget("timezone", lambda user_id: hook_of("timezone", user_id))
    await services.preferences.set_timezone(5, "lagos")
    await remind(services, 5)
    held = await privacy.inventory(5)
    assert held == {"your timezone and preferences": 1, "reminders": 1}

    privacy.remove("remind")
    assert "reminders" not in privacy.labels
    assert "your timezone and preferences" in privacy.labels
    assert await privacy.inventory(5) == {"your timezone and preferences": 1}
    report = await privacy.forget(5)
    assert report.erased == {"your timezone and preferences": 1}
    assert called == [("timezone", 5)]
    # What the removed owner holds is left alone.
    assert [r.text for r in await services.reminders.pending(5)] == ["stretch"]
    assert (await services.preferences.effective_zone(5, None)).source == "default"
    privacy.remove("nobody")  # an owner with nothing registered: nothing happens
    assert await privacy.inventory(5) == {}


async def test_privacy_reregister_after_remove(services: Services) -> None:
    privacy = services.privacy
    privacy.remove("remind")
    privacy.register_rows("remind", "reminders", "reminders", "user_id")
    with pytest.raises(ValueError, match="already registered"):
        privacy.register_rows("remind", "reminders", "reminders", "user_id")
    await remind(services, 6)
    assert await privacy.inventory(6) == {"reminders": 1}
    assert (await privacy.forget(6)).erased == {"reminders": 1}
    assert await services.reminders.pending(6) == []


def test_a_setting_without_required_permissions_lists_only_its_optional_ones() -> None:
    server = setup_check.check("server", 42, set())
    assert (server.setting, server.target_id) == ("server", 42)
    assert (server.missing, server.missing_optional) == ((), ("manage_events",))
    assert server.ok
    forum = setup_check.check("qa_forum", 7, {"view_channel", "manage_channels"})
    assert (forum.setting, forum.target_id, forum.ok) == ("qa_forum", 7, False)
    assert "view_channel" not in forum.missing
    assert forum.missing_optional == ("add_reactions", "pin_messages")


def test_without_settings_nobody_is_a_helper_or_mentor_but_admins() -> None:
    from bot.services import access

    assert not access.is_helper(access.Actor(1, frozenset({5})), None)
    assert not access.is_mentor(access.Actor(1, frozenset({5})), None)
    assert access.is_helper(access.Actor(1, is_admin=True), None)


async def test_guild_settings_read_back_every_field(services: Services) -> None:
    saved = await services.guilds.save(
        4321,
        qa_channel_id=1,
        sessions_channel_id=2,
        announcements_channel_id=3,
        pairing_channel_id=4,
        mentor_role_id=5,
        helper_role_id=6,
        timezone="lagos",
    )
    fresh = type(services.guilds)(services.db, services.clock)  # no cache: from the row
    found = await fresh.get(4321)
    assert found == saved
    assert (found.guild_id, found.sessions_channel_id, found.announcements_channel_id) == (
        4321,
        2,
        3,
    )
    assert found.timezone == "Africa/Lagos"
