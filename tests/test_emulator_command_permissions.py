"""Who may use a command, as Discord decides it: ``default_member_permissions`` synced
with the command, and the overrides admins set in Server Settings → Integrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.emulator import Channel, DiscordEmulator, EmulatorUsageError, Guild, P, Role, User
from tests.emulator import run_client as running

TOKEN = "test-token"


def build_bot() -> commands.Bot:
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
    )
    announce = app_commands.Group(
        name="announce",
        description="Mentors: announcements",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @announce.command(name="post", description="Post one")
    async def post(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("posted", ephemeral=True)

    @bot.tree.command(name="open", description="Anyone")
    async def open_(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("opened", ephemeral=True)

    @bot.tree.command(name="lockdown", description="Admins only")
    @app_commands.default_permissions()
    async def lockdown(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("locked", ephemeral=True)

    bot.tree.add_command(announce)
    return bot


@dataclass
class World:
    emu: DiscordEmulator
    bot: commands.Bot
    guild: Guild
    general: Channel
    quiet: Channel
    mentor_role: Role
    owner: User
    manager: User  # Manage Server through a role, not an administrator
    mentor: User
    ada: User


@pytest_asyncio.fixture
async def world(emulator: DiscordEmulator) -> AsyncIterator[World]:
    owner = emulator.add_user("owner")
    guild = emulator.add_guild("ProDev", owner_id=owner.id)
    general = emulator.add_text_channel(guild.id, "general")
    quiet = emulator.add_text_channel(guild.id, "quiet")
    mentor_role = emulator.add_role(guild.id, "Mentor")
    managers = emulator.add_role(guild.id, "Managers", permissions=P.MANAGE_GUILD)
    manager, mentor, ada = (emulator.add_user(n) for n in ("manager", "mentor", "ada"))
    emulator.add_member(guild.id, manager, roles=[managers.id])
    emulator.add_member(guild.id, mentor, roles=[mentor_role.id])
    emulator.add_member(guild.id, ada)
    bot = build_bot()
    async with running(emulator, bot, TOKEN, set_globals=True):
        await bot.tree.sync()
        yield World(emulator, bot, guild, general, quiet, mentor_role, owner, manager, mentor, ada)


async def use(world: World, user: User, name: str, channel: Channel | None = None) -> str:
    ix = await world.emu.slash(user, world.guild.id, name, channel_id=(channel or world.general).id)
    body = await ix.response()
    return str(body["data"]["content"])


async def test_default_member_permissions_are_stored_as_discord_returns_them(
    world: World,
) -> None:
    synced = {c["name"]: c for c in world.emu.commands()}
    assert synced["announce"]["default_member_permissions"] == str(P.MANAGE_GUILD)
    assert synced["lockdown"]["default_member_permissions"] == "0"
    assert synced["open"]["default_member_permissions"] is None


async def test_default_member_permissions_decide_who_sees_a_command(world: World) -> None:
    assert await use(world, world.manager, "announce post") == "posted"
    assert await use(world, world.owner, "announce post") == "posted"
    for user in (world.mentor, world.ada):
        with pytest.raises(EmulatorUsageError, match="cannot see /announce"):
            await use(world, user, "announce post")
    assert await use(world, world.ada, "open") == "opened"
    # "0": nobody but administrators (the owner), whatever else they hold
    assert await use(world, world.owner, "lockdown") == "locked"
    with pytest.raises(EmulatorUsageError, match="cannot see /lockdown"):
        await use(world, world.manager, "lockdown")


async def test_an_admins_override_in_integrations_lets_a_role_in(world: World) -> None:
    emu, w = world.emu, world
    emu.set_command_permissions(w.guild.id, "announce", roles={w.mentor_role.id: True})
    assert await use(w, w.mentor, "announce post") == "posted"
    assert await use(w, w.manager, "announce post") == "posted"  # the default still holds
    with pytest.raises(EmulatorUsageError, match="cannot see /announce"):
        await use(w, w.ada, "announce post")

    # A re-sync keeps the command's id, so the override stays.
    await w.bot.tree.sync()
    assert await use(w, w.mentor, "announce post") == "posted"


async def test_overrides_by_user_everyone_channel_and_app(world: World) -> None:
    emu, w = world.emu, world
    emu.set_command_permissions(
        w.guild.id, "open", roles={w.guild.id: False}, users={w.ada.id: True}
    )
    assert await use(w, w.ada, "open") == "opened"  # her own override beats @everyone
    with pytest.raises(EmulatorUsageError, match="cannot see /open"):
        await use(w, w.mentor, "open")
    assert await use(w, w.owner, "open") == "opened"  # admins are never locked out

    emu.set_command_permissions(w.guild.id, "open", channels={w.quiet.id: False})
    assert await use(w, w.mentor, "open") == "opened"
    with pytest.raises(EmulatorUsageError, match="cannot see /open"):
        await use(w, w.mentor, "open", w.quiet)

    # App-wide: every command, unless the command's own override says otherwise.
    emu.set_command_permissions(w.guild.id, None, users={w.ada.id: False})
    with pytest.raises(EmulatorUsageError, match="cannot see /open"):
        await use(w, w.ada, "open")
    emu.set_command_permissions(w.guild.id, "open", users={w.ada.id: True})
    assert await use(w, w.ada, "open") == "opened"
    with pytest.raises(EmulatorUsageError, match="no synced command"):
        emu.set_command_permissions(w.guild.id, "missing", roles={w.guild.id: True})
