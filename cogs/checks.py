"""Who may run what: the ``Actor`` of an interaction, and the admin and mentor checks
for app commands. The decisions themselves are ``bot.services.access``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.services import access
from bot.services.access import Actor
from cogs.errors import NexusCheckFailure

if TYPE_CHECKING:
    from bot.client import NexusBot

T = TypeVar("T")


# The ``default_member_permissions`` of a top-level command whose every subcommand is for
# mentors or admins: Manage Server, the one Discord permission that makes a member a
# mentor here (``access.is_mentor``: the mentor role, or an admin). A role cannot be a
# default, so members of the mentor role without Manage Server see such a command once
# an admin lets the role use it in Server Settings → Integrations; a mixed group keeps
# its default and refuses others in the command, naming who may.
MENTORS_AND_ADMINS = discord.Permissions(manage_guild=True)


def is_admin(interaction: discord.Interaction[Any]) -> bool:
    perms = interaction.permissions
    return perms.manage_guild or perms.administrator


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    """Who is acting, as every service sees them."""
    user = interaction.user
    roles = frozenset(role.id for role in user.roles) if isinstance(user, discord.Member) else None
    return Actor(
        user.id,
        roles or frozenset(),
        is_admin(interaction),
        mention_everyone=interaction.permissions.mention_everyone,
    )


async def is_mentor(interaction: discord.Interaction[NexusBot]) -> bool:
    if interaction.guild_id is None:
        return False
    settings = await interaction.client.services.guilds.get(interaction.guild_id)
    return access.is_mentor(actor_of(interaction), settings)


def admin_only() -> Callable[[T], T]:
    def predicate(interaction: discord.Interaction[Any]) -> bool:
        if interaction.guild_id is None:
            raise NexusCheckFailure(
                "This command works in a server, not in DMs.", title="Servers only"
            )
        if not is_admin(interaction):
            raise NexusCheckFailure("Only admins (Manage Server) can do this.", title="Admins only")
        return True

    return app_commands.check(predicate)


def mentor_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[NexusBot]) -> bool:
        if not await is_mentor(interaction):
            raise NexusCheckFailure(access.MENTORS_ONLY, title="Mentors only")
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
        raise NexusCheckFailure("This command works in a server, not in DMs.", title="Servers only")
    return interaction.guild
