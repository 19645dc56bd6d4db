"""REST behaviour of the emulator: limits, nonces, failures, DMs, threads, forums, events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import discord
import pytest
import pytest_asyncio
from discord.ext import commands
from discord.http import Route

from tests.emulator import DiscordEmulator, Guild, Overwrite, P, User, run_client

TOKEN = "test-token"


@dataclass
class World:
    emu: DiscordEmulator
    bot: commands.Bot
    guild: Guild
    ada: User

    def text(self, channel_id: int) -> discord.TextChannel:
        channel = self.bot.get_channel(channel_id)
        assert isinstance(channel, discord.TextChannel)
        return channel

    async def seen(self, channel_id: int) -> discord.abc.GuildChannel:
        """Wait until the bot's cache has a channel created after login (CHANNEL_CREATE)."""
        for _ in range(200):
            channel = self.bot.get_channel(channel_id)
            if channel is not None:
                assert isinstance(channel, discord.abc.GuildChannel)
                return channel
            await asyncio.sleep(0.01)
        raise AssertionError(f"bot never saw channel {channel_id}")


@pytest_asyncio.fixture
async def world(emulator: DiscordEmulator) -> AsyncIterator[World]:
    guild = emulator.add_guild("ProDev")
    ada = emulator.add_user("ada")
    emulator.add_member(guild.id, ada)
    emulator.add_text_channel(guild.id, "general")
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
    )
    async with run_client(emulator, bot, TOKEN, set_globals=True):
        yield World(emulator, bot, guild, ada)


async def test_length_limits_surface_as_50035(world: World) -> None:
    channel = await world.seen(world.emu.add_text_channel(world.guild.id, "limits").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    assert "content" in too_long.value.text and "2000 or fewer" in too_long.value.text

    with pytest.raises(discord.HTTPException) as big_embed:
        await channel.send(embed=discord.Embed(title="t" * 257, description="d" * 4096))
    assert big_embed.value.code == 50035 and "embeds.0.title" in big_embed.value.text

    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="l" * 81, custom_id="a"))
    with pytest.raises(discord.HTTPException, match=r"components\.0\.components\.0\.label"):
        await channel.send("buttons", view=view)
    assert world.emu.messages(channel.id) == []


async def test_link_buttons_take_an_http_or_discord_url_of_at_most_512(world: World) -> None:
    channel = await world.seen(world.emu.add_text_channel(world.guild.id, "links").id)
    assert isinstance(channel, discord.TextChannel)
    fits = "https://example.com/?q=" + "a" * (512 - 23)
    for url, problem in (
        (fits + "a", "Must be 512 or fewer in length"),
        ("javascript:alert(1)", 'Scheme "javascript" is not supported'),
    ):
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="Open", url=url))
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("link", view=view)
        assert refused.value.code == 50035
        assert "components.0.components.0.url" in refused.value.text
        assert problem in refused.value.text, refused.value.text
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Open", url=fits))
    view.add_item(discord.ui.Button(label="Voice", url="https://discord.com/channels/1/2"))
    sent = await channel.send("links", view=view)
    [row] = world.emu.message(sent.id).components
    assert [c["url"] for c in row["components"]] == [fits, "https://discord.com/channels/1/2"]


async def test_enforce_nonce_returns_the_earlier_message(world: World) -> None:
    general = world.text(world.guild.system_channel_id or 0)
    first = await general.send("announcement", nonce="nexus-1")
    second = await general.send("announcement (retry)", nonce="nexus-1")
    assert second.id == first.id and second.content == "announcement"
    assert [m.content for m in world.emu.messages(general.id)] == ["announcement"]
    other = await general.send("different", nonce="nexus-2")
    assert other.id != first.id
    with pytest.raises(discord.HTTPException, match="nonce"):
        await general.send("long nonce", nonce="n" * 26)


async def test_server_error_then_success_is_retried(world: World) -> None:
    general = world.text(world.guild.system_channel_id or 0)
    world.emu.inject_failure("POST", rf"/channels/{general.id}/messages", 500)
    sent = await general.send("after a blip")
    attempts = world.emu.calls_to("POST", rf"/channels/{general.id}/messages")
    assert [c.status for c in attempts] == [500, 200]
    assert world.emu.messages(general.id)[-1].id == sent.id


async def test_dm_to_closed_user_is_forbidden(world: World) -> None:
    bob = world.emu.add_user("bob")
    world.emu.add_member(world.guild.id, bob)
    world.emu.close_dms(bob.id)
    user = await world.bot.fetch_user(bob.id)
    with pytest.raises(discord.Forbidden) as err:
        await user.send("welcome!")
    assert err.value.code == 50007
    ada = await world.bot.fetch_user(world.ada.id)
    await ada.send("welcome!")
    assert [m.content for m in world.emu.dm_messages(world.ada.id)] == ["welcome!"]


async def test_missing_permissions(world: World) -> None:
    emu = world.emu
    everyone = Overwrite.role(world.guild.id, deny=P.SEND_MESSAGES)
    locked = emu.add_text_channel(world.guild.id, "announcements", overwrites=[everyone])
    bot_denied = Overwrite.member(emu.bot_user.id, deny=P.VIEW_CHANNEL)
    hidden = emu.add_text_channel(world.guild.id, "staff", overwrites=[bot_denied])
    channel = await world.seen(locked.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as no_send:
        await channel.send("hi")
    assert no_send.value.code == 50013
    with pytest.raises(discord.Forbidden) as no_view:
        await world.bot.http.send_message(
            hidden.id, params=discord.http.handle_message_parameters("x")
        )
    assert no_view.value.code == 50001


async def test_an_auto_archived_thread_takes_no_members_until_unarchived(world: World) -> None:
    channel = await world.seen(world.emu.add_text_channel(world.guild.id, "sessions").id)
    assert isinstance(channel, discord.TextChannel)
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    card = await channel.send("card")
    thread = await card.create_thread(name="Django ORM clinic")

    async def cached(expected: bool) -> None:
        for _ in range(200):  # THREAD_CREATE / THREAD_UPDATE reach the cache
            if (guild.get_thread(thread.id) is not None) is expected:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the thread never became {'active' if expected else 'archived'}")

    await cached(True)
    world.emu.auto_archive(thread.id)
    await cached(False)  # discord.py keeps only active threads
    assert world.emu.channel(thread.id).archived
    with pytest.raises(discord.HTTPException) as refused:
        await world.bot.http.add_user_to_thread(thread.id, world.ada.id)
    assert (refused.value.status, refused.value.code) == (400, 50083)
    await world.bot.http.edit_channel(thread.id, archived=False)
    await world.bot.http.add_user_to_thread(thread.id, world.ada.id)
    assert world.ada.id in world.emu.channel(thread.id).thread_members


async def test_a_member_who_left_is_out_of_its_threads_and_cannot_be_added(world: World) -> None:
    channel = await world.seen(world.emu.add_text_channel(world.guild.id, "lounge").id)
    assert isinstance(channel, discord.TextChannel)
    thread = await (await channel.send("card")).create_thread(name="Chat")
    await world.bot.http.add_user_to_thread(thread.id, world.ada.id)
    world.emu.remove_member(world.guild.id, world.ada.id)
    assert world.ada.id not in world.emu.state.guild(world.guild.id).members
    assert world.ada.id not in world.emu.channel(thread.id).thread_members
    with pytest.raises(discord.NotFound) as refused:
        await world.bot.http.add_user_to_thread(thread.id, world.ada.id)
    assert refused.value.code == 10007


async def test_threads_forum_posts_and_tags(world: World) -> None:
    emu = world.emu
    forum_state = emu.add_forum_channel(world.guild.id, "qa", tags=["python"], require_tag=True)
    forum = await world.seen(forum_state.id)
    assert isinstance(forum, discord.ForumChannel)
    forum = await forum.edit(available_tags=[*forum.available_tags, discord.ForumTag(name="go")])
    assert [t.name for t in forum.available_tags] == ["python", "go"]
    with pytest.raises(discord.HTTPException, match="applied_tags"):
        await forum.create_thread(name="untagged", content="body")
    python = forum.available_tags[0]
    post = await forum.create_thread(name="How do I X?", content="details", applied_tags=[python])
    assert post.message.id == post.thread.id
    stored = emu.channel(post.thread.id)
    assert stored.applied_tags == [python.id] and stored.parent_id == forum.id
    await post.thread.edit(archived=True, locked=True)
    assert emu.channel(post.thread.id).archived and emu.channel(post.thread.id).locked
    with pytest.raises(discord.HTTPException, match="name"):
        await forum.create_thread(name="n" * 101, content="x", applied_tags=[python])

    general = world.text(world.guild.system_channel_id or 0)
    root = await general.send("session at 6pm")
    thread = await root.create_thread(name="Session chat")
    assert thread.id == root.id
    await thread.add_user(discord.Object(world.ada.id))
    assert world.ada.id in emu.channel(thread.id).thread_members
    private = await general.create_thread(name="mentoring", type=discord.ChannelType.private_thread)
    assert emu.channel(private.id).type == 12
    assert {t.id for t in emu.threads(general.id)} == {thread.id, private.id}
    assert [e["id"] for e in emu.gateway_events("THREAD_CREATE")][-2:] == [
        str(thread.id),
        str(private.id),
    ]


async def test_scheduled_events_and_crosspost(world: World) -> None:
    emu = world.emu
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    start = datetime.now(UTC) + timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Pairing session",
        start_time=start,
        end_time=start + timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    assert [e.name for e in emu.scheduled_events(guild.id)] == ["Pairing session"]
    await event.edit(name="Pairing session (moved)")
    await event.delete()
    assert emu.scheduled_events(guild.id) == []
    names = [n for n, _ in emu.gateway.dispatched if n.startswith("GUILD_SCHEDULED_EVENT")]
    assert names == [
        "GUILD_SCHEDULED_EVENT_CREATE",
        "GUILD_SCHEDULED_EVENT_UPDATE",
        "GUILD_SCHEDULED_EVENT_DELETE",
    ]
    with pytest.raises(discord.HTTPException, match="name"):
        await guild.create_scheduled_event(
            name="x" * 101,
            start_time=start,
            end_time=start + timedelta(hours=1),
            entity_type=discord.EntityType.external,
            location="Online",
            privacy_level=discord.PrivacyLevel.guild_only,
        )

    news_state = emu.add_news_channel(world.guild.id, "announcements")
    news = await world.seen(news_state.id)
    assert isinstance(news, discord.TextChannel) and news.is_news()
    sent = await news.send("release notes")
    await sent.publish()
    assert emu.message(sent.id).flags & 1
    await sent.pin()
    assert emu.message(sent.id).pinned


async def test_unknown_route_fails_the_test() -> None:
    emu = DiscordEmulator(token=TOKEN)
    await emu.start()
    try:
        bot = commands.Bot(
            command_prefix="!", intents=discord.Intents.none(), guild_ready_timeout=0.05
        )
        async with run_client(emu, bot, TOKEN, set_globals=True):
            with pytest.raises(discord.NotFound) as err:
                await bot.http.request(Route("GET", "/guilds/{guild_id}/emojis", guild_id=1))
            assert err.value.code == 0
    finally:
        await emu.stop()
    assert emu.unknown_routes == ["GET /guilds/1/emojis"]
    from tests.emulator.pytest_plugin import check_emulator_clean

    with pytest.raises(pytest.fail.Exception, match="unknown route: GET /guilds/1/emojis"):
        check_emulator_clean(emu)


async def test_lost_response_then_retry_is_deduplicated_by_nonce(world: World) -> None:
    """A 502 after the message was created: discord.py retries and enforce_nonce saves the day."""
    general = world.text(world.guild.system_channel_id or 0)
    path = rf"/channels/{general.id}/messages"
    world.emu.inject_failure("POST", path, 502, apply=True)
    sent = await general.send("exactly once", nonce="dedupe-1")
    assert [c.status for c in world.emu.calls_to("POST", path)] == [502, 200]
    assert [m.id for m in world.emu.messages(general.id)] == [sent.id]


async def test_user_activity_and_content_withheld_over_rest(world: World) -> None:
    emu = world.emu
    forum = emu.add_forum_channel(world.guild.id, "qa", tags=["python"])
    await world.seen(forum.id)
    created: asyncio.Future[discord.Thread] = asyncio.get_running_loop().create_future()

    async def on_thread_create(thread: discord.Thread) -> None:
        if not created.done():
            created.set_result(thread)

    world.bot.add_listener(on_thread_create)
    tag = int(forum.available_tags[0]["id"])
    thread, starter = emu.user_forum_post(
        forum.id, world.ada, "Why is my loop slow?", "details…", applied_tags=[tag]
    )
    seen = await asyncio.wait_for(created, 5)
    assert seen.id == thread.id and seen.owner_id == world.ada.id and starter.id == thread.id
    reply = emu.user_message(thread.id, world.ada, "any ideas?")
    fetched = await world.bot.get_partial_messageable(thread.id).fetch_message(reply.id)
    assert fetched.content == "" and fetched.author.id == world.ada.id
    bot_msg = await world.bot.get_partial_messageable(thread.id).send("have you profiled it?")
    answer = emu.user_message(thread.id, world.ada, "yes!", reply_to=emu.message(bot_msg.id))
    fetched = await world.bot.get_partial_messageable(thread.id).fetch_message(answer.id)
    assert fetched.content == "yes!"  # a reply pings the bot, so the content is visible


async def test_handler_errors_are_recorded(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.emulator import rest_channels

    async def boom(req: object) -> tuple[int, object]:
        raise RuntimeError("emulator bug")

    spec = next(r for r in world.emu.rest.routes if r.handler is rest_channels.typing)
    monkeypatch.setattr(spec, "handler", boom)
    general = world.text(world.guild.system_channel_id or 0)
    with pytest.raises(discord.HTTPException):
        await general.typing()
    assert world.emu.problems and "emulator bug" in world.emu.problems[0]
    world.emu.problems.clear()  # this test expects the problem; keep the fixture teardown clean


async def test_the_bots_own_reactions(world: World) -> None:
    """PUT …/reactions/{emoji}/@me as on Discord: recorded once, shown on the message
    (``me``), refused without Add Reactions when nobody reacted yet, in an archived
    thread, and for an emoji Discord does not know."""
    emu = world.emu
    general = world.text(world.guild.system_channel_id or 0)
    answer = emu.user_message(general.id, world.ada, "use select_related")
    message = general.get_partial_message(answer.id)
    await message.add_reaction("✅")
    await message.add_reaction("✅")  # again: nothing changes
    assert emu.message(answer.id).reactions == {"✅": [emu.bot_user.id]}
    fetched = await general.fetch_message(answer.id)
    assert [(str(r.emoji), r.count, r.me) for r in fetched.reactions] == [("✅", 1, True)]
    assert emu.calls_to("PUT", rf"/channels/{general.id}/messages/{answer.id}/reactions/✅/@me")

    with pytest.raises(discord.HTTPException) as unknown:
        await message.add_reaction("nope")
    assert unknown.value.status == 400 and unknown.value.code == 10014

    no_react = Overwrite.member(emu.bot_user.id, deny=P.ADD_REACTIONS)
    quiet = await world.seen(
        emu.add_text_channel(world.guild.id, "quiet", overwrites=[no_react]).id
    )
    assert isinstance(quiet, discord.TextChannel)
    other = emu.user_message(quiet.id, world.ada, "hello")
    with pytest.raises(discord.Forbidden) as forbidden:
        await quiet.get_partial_message(other.id).add_reaction("✅")
    assert forbidden.value.code == 50013 and emu.message(other.id).reactions == {}

    root = await general.send("thread root")
    thread = await root.create_thread(name="done")
    reply = emu.user_message(thread.id, world.ada, "solved")
    await thread.edit(archived=True)
    with pytest.raises(discord.HTTPException) as archived:
        await thread.get_partial_message(reply.id).add_reaction("✅")
    assert archived.value.code == 50083 and emu.message(reply.id).reactions == {}


async def test_an_archived_thread_takes_no_edits(world: World) -> None:
    emu = world.emu
    general = world.text(world.guild.system_channel_id or 0)
    root = await general.send("root")
    thread = await root.create_thread(name="archived soon")
    mine = await thread.send("first version")
    await thread.edit(archived=True)
    with pytest.raises(discord.HTTPException) as refused:
        await mine.edit(content="second version")
    assert refused.value.status == 400 and refused.value.code == 50083
    await thread.edit(archived=False)
    await mine.edit(content="second version")
    assert emu.message(mine.id).content == "second version"


async def test_an_injected_failure_no_call_met_fails_the_test(world: World) -> None:
    """A fault injected on a path nothing calls (a mistyped pattern) was never tested."""
    from tests.emulator.pytest_plugin import check_injected_failures_used

    general = world.text(world.guild.system_channel_id or 0)
    world.emu.inject_failure("POST", rf"/channels/{general.id}/messages", 500)
    world.emu.inject_failure("POST", r"/channels/\\d+/messages", 403, code=50013)
    await general.send("once, after discord.py's retry of the 500")
    assert world.emu.unused_failures() == [r"POST /channels/\\d+/messages -> 403"]
    with pytest.raises(pytest.fail.Exception, match="no call matched"):
        check_injected_failures_used(world.emu)
    world.emu.rest.failures.clear()  # this test's own fixture must not fail on it
