"""Who may run what: the ``Actor`` of an interaction, and the admin and mentor checks
for app commands. The decisions themselves are ``bot.services.access``."""

from __future__ import annotations

from collections import OrderedDict
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
    """Per-user token bucket on a write command, kept apart per server.

    discord.py's ``app_commands.checks.cooldown`` looks at every user's bucket on every
    call to drop the stale ones (0.3-0.5 ms with a few thousand learners active); these
    buckets are kept in the order of their last use, so the stale ones are at the old
    end and dropping them costs nothing while none is stale."""
    buckets: OrderedDict[tuple[int | None, int], tuple[app_commands.Cooldown, float]]
    buckets = OrderedDict()

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        now = interaction.created_at.timestamp()
        while buckets:
            _, last_used = next(iter(buckets.values()))
            if now <= last_used + per:
                break
            buckets.popitem(last=False)  # its window is over: a new bucket is the same
        key = (interaction.guild_id, interaction.user.id)
        bucket, _ = buckets.pop(key, (None, 0.0))
        if bucket is None:
            bucket = app_commands.Cooldown(rate, per)
        buckets[key] = (bucket, now)
        retry_after = bucket.update_rate_limit(now)
        if retry_after is not None:
            raise app_commands.CommandOnCooldown(bucket, retry_after)
        return True

    return app_commands.check(predicate)


def guild_of(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server the interaction came from; commands that need one are guild-only."""
    if interaction.guild is None:
        raise NexusCheckFailure("This command works in a server, not in DMs.", title="Servers only")
    return interaction.guild
