"""Who may run what: admin (Manage Server) and mentor checks for app commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from cogs.errors import NexusCheckFailure

if TYPE_CHECKING:
    from bot.client import NexusBot

T = TypeVar("T")


def is_admin(interaction: discord.Interaction[Any]) -> bool:
    perms = interaction.permissions
    return perms.manage_guild or perms.administrator


async def is_mentor(interaction: discord.Interaction[NexusBot]) -> bool:
    """Mentor role holder, or an admin (who can always moderate their server)."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if is_admin(interaction):
        return True
    settings = await interaction.client.services.guilds.get(interaction.guild_id)
    return settings is not None and interaction.user.get_role(settings.mentor_role_id) is not None


def admin_only() -> Callable[[T], T]:
    def predicate(interaction: discord.Interaction[Any]) -> bool:
        if interaction.guild_id is None:
            raise NexusCheckFailure("This command works in a server, not in DMs.")
        if not is_admin(interaction):
            raise NexusCheckFailure("Only admins (Manage Server) can do this.")
        return True

    return app_commands.check(predicate)


def mentor_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[NexusBot]) -> bool:
        if not await is_mentor(interaction):
            raise NexusCheckFailure("Only mentors can do this.")
        return True

    return app_commands.check(predicate)


def write_cooldown(rate: int = 5, per: float = 30.0) -> Callable[[T], T]:
    """Per-user token bucket on a write command, kept apart per server."""
    return app_commands.checks.cooldown(
        rate, per, key=lambda interaction: (interaction.guild_id, interaction.user.id)
    )


def guild_of(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server the interaction came from; commands that need one are guild-only."""
    if interaction.guild is None:
        raise NexusCheckFailure("This command works in a server, not in DMs.")
    return interaction.guild
