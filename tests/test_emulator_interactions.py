"""Interactions through the emulator: slash, autocomplete, components, modals, context menus."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.emulator import (
    Channel,
    DiscordEmulator,
    EmulatorUsageError,
    Guild,
    Role,
    User,
    run_client,
)

TOKEN = "test-token"
ZONES = ["Africa/Lagos", "Africa/Nairobi", "Europe/Lagos-ish", "America/Lima"]


class Counter(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.clicks = 0

    @discord.ui.button(label="Count", custom_id="counter:count", style=discord.ButtonStyle.primary)
    async def count_button(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        self.clicks += 1
        await interaction.response.edit_message(content=f"count={self.clicks}", view=self)


class Claim(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"claim:(?P<qid>\d+)"):
    def __init__(self, qid: int) -> None:
        super().__init__(discord.ui.Button(label="Claim", custom_id=f"claim:{qid}"))
        self.qid = qid

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Claim:
        return cls(int(match["qid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"claimed {self.qid}", ephemeral=True)


class Feedback(discord.ui.Modal, title="Feedback"):
    topic: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Topic", custom_id="topic", max_length=50
    )
    details: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Details", custom_id="details", style=discord.TextStyle.paragraph, required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"{self.topic.value}|{self.details.value}", ephemeral=True
        )


class WhoHelped(discord.ui.Modal, title="Who helped?"):
    """A modal with a labelled select (its default pre-chosen) above a text input."""

    def __init__(self) -> None:
        super().__init__()
        self.helper: discord.ui.Select[WhoHelped] = discord.ui.Select(
            custom_id="helper",
            options=[
                discord.SelectOption(label="Bola", value="bola", default=True),
                discord.SelectOption(label="Chidi", value="chidi"),
            ],
        )
        self.add_item(discord.ui.Label(text="Who helped?", component=self.helper))
        self.summary: discord.ui.TextInput[WhoHelped] = discord.ui.TextInput(
            label="Summary", custom_id="summary"
        )
        self.add_item(self.summary)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"{','.join(self.helper.values)}|{self.summary.value}", ephemeral=True
        )


def build_bot() -> commands.Bot:
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
    )
    nexus = app_commands.Group(name="nexus", description="Nexus administration")

    @nexus.command(name="setup", description="Configure Nexus")
    async def setup(
        interaction: discord.Interaction,
        qa_forum: discord.ForumChannel,
        mentor_role: discord.Role,
        timezone: str,
        mentor: discord.Member | None = None,
    ) -> None:
        who = mentor.name if mentor else "-"
        await interaction.response.send_message(
            f"forum={qa_forum.name} role={mentor_role.name} tz={timezone} mentor={who}",
            ephemeral=True,
        )

    tz = app_commands.Group(name="timezone", description="Time zones")

    @tz.command(name="set", description="Set your time zone")
    async def tz_set(interaction: discord.Interaction, zone: str) -> None:
        await interaction.response.send_message(f"zone={zone}")

    @tz_set.autocomplete("zone")
    async def zone_complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in ZONES if current.lower() in z.lower()]

    @bot.tree.command(name="counter", description="A counter")
    async def counter(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count=0", view=Counter())

    @bot.tree.command(name="feedback", description="Leave feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @bot.tree.command(name="helped", description="Who helped")
    async def helped(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(WhoHelped())

    @bot.tree.command(name="slow", description="Deferred work")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="done")
        await interaction.followup.send("details", ephemeral=True)

    @bot.tree.context_menu(name="Mark as solution")
    async def mark(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"solution={message.id}", ephemeral=True)

    bot.tree.add_command(nexus)
    bot.tree.add_command(tz)
    bot.add_dynamic_items(Claim)
    return bot


@dataclass
class World:
    emu: DiscordEmulator
    bot: commands.Bot
    guild: Guild
    general: Channel
    forum: Channel
    mentor: Role
    ada: User
    bob: User


@pytest_asyncio.fixture
async def world(emulator: DiscordEmulator) -> AsyncIterator[World]:
    guild = emulator.add_guild("ProDev")
    general = emulator.add_text_channel(guild.id, "general")
    forum = emulator.add_forum_channel(guild.id, "qa")
    mentor = emulator.add_role(guild.id, "Mentor")
    ada, bob = emulator.add_user("ada"), emulator.add_user("bob")
    emulator.add_member(guild.id, ada)
    emulator.add_member(guild.id, bob, roles=[mentor.id])
    bot = build_bot()
    async with run_client(emulator, bot, TOKEN, set_globals=True):
        await bot.tree.sync()
        yield World(emulator, bot, guild, general, forum, mentor, ada, bob)


async def test_sync_then_slash_with_resolved_options(world: World) -> None:
    emu = world.emu
    assert emu.sync_counts == {None: 1}
    synced = {c["name"]: c for c in emu.commands()}
    assert set(synced) == {
        "nexus",
        "timezone",
        "counter",
        "feedback",
        "helped",
        "slow",
        "Mark as solution",
    }
    assert synced["Mark as solution"]["type"] == 3

    ix = await emu.slash(
        world.ada,
        world.guild.id,
        "nexus setup",
        channel_id=world.general.id,
        qa_forum=world.forum.id,
        mentor_role=world.mentor,
        timezone="Africa/Lagos",
        mentor=world.bob,
    )
    body = await ix.response()
    assert body["type"] == 4
    assert body["data"]["content"] == "forum=qa role=Mentor tz=Africa/Lagos mentor=bob"
    assert body["data"]["flags"] & 64 and ix.ephemeral
    resolved = ix.payload["data"]["resolved"]
    assert set(resolved) == {"channels", "roles", "users", "members"}
    msg = ix.original_message
    assert msg is not None and msg.type == 20 and msg.interaction_metadata is not None
    # discord.py asked for the callback response body and got the created message back
    call = emu.calls_to("POST", r"/interactions/\d+/[^/]+/callback")[-1]
    assert call.query == {"with_response": "1"} and call.response["resource"]["message"][
        "id"
    ] == str(msg.id)


async def test_slash_rejects_what_the_client_would_not_send(world: World) -> None:
    emu = world.emu
    with pytest.raises(EmulatorUsageError, match="no option"):
        await emu.slash(world.ada, world.guild.id, "timezone set", zone="x", colour="red")
    with pytest.raises(EmulatorUsageError, match="requires option"):
        await emu.slash(world.ada, world.guild.id, "nexus setup", timezone="x")
    with pytest.raises(EmulatorUsageError, match="no synced command"):
        await emu.slash(world.ada, world.guild.id, "unknown")
    with pytest.raises(EmulatorUsageError, match="not a string"):
        await emu.slash(world.ada, world.guild.id, "timezone set", zone=5)


async def test_autocomplete_returns_choices(world: World) -> None:
    ix = await world.emu.autocomplete(
        world.ada, world.guild.id, "timezone set", focused="zone", value="lag"
    )
    body = await ix.response()
    assert body["type"] == 8
    assert [c["value"] for c in ix.choices or []] == ["Africa/Lagos", "Europe/Lagos-ish"]
    assert (
        ix.payload["type"] == 4
        and ix.payload["data"]["options"][0]["options"][0]["focused"] is True
    )


async def test_button_round_trip_on_a_view(world: World) -> None:
    emu = world.emu
    ix = await emu.slash(world.ada, world.guild.id, "counter", channel_id=world.general.id)
    await ix.response()
    message = ix.original_message
    assert message is not None and not ix.ephemeral
    click = await emu.click(world.bob, message, "counter:count")
    assert (await click.response())["type"] == 7
    click2 = await emu.click(world.bob, message, "counter:count")
    await click2.response()
    assert emu.message(message.id).content == "count=2"
    assert emu.message(message.id).components[0]["components"][0]["custom_id"] == "counter:count"
    with pytest.raises(EmulatorUsageError, match="no component"):
        await emu.click(world.bob, message, "nope")


async def test_dynamic_item_on_a_channel_message(world: World) -> None:
    emu = world.emu
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    view = discord.ui.View(timeout=None)
    view.add_item(Claim(42))
    sent = await channel.send("question 42", view=view)
    click = await emu.click(world.ada, sent.id, "claim:42")
    body = await click.response()
    assert body["data"]["content"] == "claimed 42" and click.ephemeral
    reply = click.original_message
    assert reply is not None and reply.type == 19
    assert reply.message_reference is not None and reply.message_reference["message_id"] == str(
        sent.id
    )


async def test_a_button_in_a_dm_is_for_its_recipient_only(world: World) -> None:
    emu = world.emu
    view = discord.ui.View(timeout=None)
    view.add_item(Claim(7))
    dm = await world.bot.create_dm(discord.Object(world.ada.id))
    sent = await dm.send("yours", view=view)
    click = await emu.click(world.ada, sent.id, "claim:7")
    assert (await click.response())["data"]["content"] == "claimed 7"
    assert "guild_id" not in click.payload
    with pytest.raises(EmulatorUsageError, match="another person's DM"):
        await emu.click(world.bob, sent.id, "claim:7")


async def test_modal_round_trip(world: World) -> None:
    emu = world.emu
    ix = await emu.slash(world.ada, world.guild.id, "feedback")
    assert (await ix.response())["type"] == 9
    assert ix.modal is not None and ix.modal["title"] == "Feedback"
    with pytest.raises(EmulatorUsageError, match="no field"):
        await emu.submit_modal(world.ada, ix, ix.modal["custom_id"], {"bogus": "x"})
    with pytest.raises(EmulatorUsageError, match="required"):
        await emu.submit_modal(world.ada, ix, ix.modal["custom_id"], {"details": "only"})
    submit = await emu.submit_modal(world.ada, ix, ix.modal["custom_id"], {"topic": "threads"})
    body = await submit.response()
    assert body["data"]["content"] == "threads|" and submit.ephemeral


async def test_a_modal_select_submits_its_default_unless_changed(world: World) -> None:
    emu = world.emu

    async def submitted(values: dict[str, Any]) -> str:
        ix = await emu.slash(world.ada, world.guild.id, "helped")
        assert (await ix.response())["type"] == 9 and ix.modal is not None
        submit = await emu.submit_modal(world.ada, ix, ix.modal["custom_id"], values)
        return str((await submit.response())["data"]["content"])

    assert await submitted({"summary": "it worked"}) == "bola|it worked"
    assert await submitted({"helper": ["chidi"], "summary": "x"}) == "chidi|x"
    ix = await emu.slash(world.ada, world.guild.id, "helped")
    await ix.response()
    assert ix.modal is not None
    with pytest.raises(EmulatorUsageError, match="takes"):
        await emu.submit_modal(world.ada, ix, ix.modal["custom_id"], {"helper": [], "summary": "x"})
    with pytest.raises(EmulatorUsageError, match="has options"):
        await emu.submit_modal(
            world.ada, ix, ix.modal["custom_id"], {"helper": ["dayo"], "summary": "x"}
        )


async def test_message_context_menu(world: World) -> None:
    emu = world.emu
    question = emu.user_message(world.general.id, world.ada, "how do I join a thread?")
    ix = await emu.message_command(world.bob, world.guild.id, "Mark as solution", question)
    body = await ix.response()
    assert body["data"]["content"] == f"solution={question.id}"
    assert ix.original_message is not None and ix.original_message.type == 23


async def test_defer_edit_and_followup(world: World) -> None:
    emu = world.emu
    ix = await emu.slash(world.ada, world.guild.id, "slow")
    assert (await ix.response())["type"] == 5
    followups = await ix.followups(count=1)
    original = ix.original_message
    assert original is not None and original.content == "done" and not original.flags & 128
    assert followups[0].content == "details" and followups[0].ephemeral


async def test_rate_limited_callback_is_retried(world: World) -> None:
    emu = world.emu
    emu.inject_failure("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.3)
    ix = await emu.slash(world.ada, world.guild.id, "timezone set", zone="Africa/Lagos")
    body = await ix.response()
    assert body["data"]["content"] == "zone=Africa/Lagos"
    attempts = emu.calls_to("POST", rf"/interactions/{ix.id}/[^/]+/callback")
    assert [c.status for c in attempts] == [429, 200]


async def test_callback_rules_enforced(world: World) -> None:
    emu = world.emu
    ix = await emu.slash(world.ada, world.guild.id, "timezone set", zone="Africa/Lagos")
    await ix.response()
    url = f"{emu.api_base}/interactions/{ix.id}/{ix.token}/callback"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"type": 4, "data": {"content": "again"}}) as resp:
            assert resp.status == 400 and (await resp.json())["code"] == 40060
        late = await emu.slash(world.ada, world.guild.id, "feedback")
        await late.response()
        stale = emu.interactions[late.id]
        stale.callback = None  # pretend the bot never answered, then let the 3 s deadline pass
        emu.advance_time(3.5)
        url = f"{emu.api_base}/interactions/{late.id}/{late.token}/callback"
        async with session.post(url, json={"type": 5}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10062
        hook = f"{emu.api_base}/webhooks/{emu.application_id}/{late.token}"
        async with session.post(hook, json={"content": "too early"}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10015
        emu.advance_time(15 * 60)
        hook = f"{emu.api_base}/webhooks/{emu.application_id}/{ix.token}"
        async with session.post(hook, json={"content": "too late"}) as resp:
            assert resp.status == 401 and (await resp.json())["code"] == 50027
