"""The one error pipeline for slash commands, menus, buttons, selects and modals.

Priority order:
1. ``UserFacingError`` (raised by services, also wrapped by discord.py) → its message.
2. Check failures and cooldowns → a fixed friendly text, with the retry time.
3. Anything else → "Something went wrong (ref ABC123)", the traceback logged with it.
The user always gets an ephemeral answer, whether or not the interaction was deferred.
"""

from __future__ import annotations

import logging
import math
import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.delivery import is_transient
from bot.errors import UserFacingError
from bot.ui import embeds

log = logging.getLogger(__name__)

_REF_ALPHABET = string.ascii_uppercase + string.digits


class NexusCheckFailure(app_commands.CheckFailure):
    """A check that failed with a message for the user (not an admin, not a mentor)."""

    def __init__(self, message: str, *, title: str = "Not allowed") -> None:
        super().__init__(message)
        self.message = message
        self.title = title


@dataclass(frozen=True)
class Answer:
    """What the user reads about a failure: a title naming the problem, the message
    saying what to do next, and whether it is calm news (already done) or an error."""

    title: str
    message: str
    neutral: bool = False


def new_reference() -> str:
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = error.__cause__ or getattr(error, "original", None)
        if inner is None or inner is error:
            break
        error = inner
    return error


def _permissions(names: list[str]) -> str:
    return ", ".join(p.replace("_", " ").title() for p in names)


def describe(error: BaseException, *, now: float | None = None) -> Answer | None:
    """The answer for an expected error, or None for an unexpected one."""
    error = _unwrap(error)
    if isinstance(error, UserFacingError):
        return Answer(error.title, error.message, error.neutral)
    if isinstance(error, NexusCheckFailure):
        return Answer(error.title, error.message)
    if isinstance(error, app_commands.CommandOnCooldown):
        ready = math.ceil((time.time() if now is None else now) + error.retry_after)
        return Answer("Slow down", f"You're doing that a little fast. Try again <t:{ready}:R>.")
    if isinstance(error, app_commands.MissingPermissions):
        needed = _permissions(error.missing_permissions)
        return Answer("Not allowed", f"You need the {needed} permission to use this.")
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = _permissions(error.missing_permissions)
        return Answer(
            "I'm missing a permission",
            f"I'm missing the {needed} permission here. Ask an admin to run `/nexus config`.",
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return Answer("Servers only", "This command works in a server, not in DMs.")
    if isinstance(error, app_commands.TransformerError):
        return Answer("Check what you typed", f"I couldn't understand `{error.value}` here.")
    if is_transient(error):
        return Answer(
            "Discord is busy",
            "Discord is having trouble right now, so that didn't go through. "
            "Please try again in a minute.",
        )
    if isinstance(error, discord.Forbidden) and error.code == 50013:
        return Answer(
            "I'm missing a permission",
            "Discord refused: I'm missing a permission for this. "
            "An admin can run `/nexus config` to see which.",
        )
    return None


async def handle_interaction_error(
    interaction: discord.Interaction[Any], error: BaseException, *, where: str = ""
) -> None:
    """Answer the user for any failure in a command or component."""
    answer = describe(error)
    if answer is None:
        ref = new_reference()
        answer = Answer(
            "Something went wrong",
            f"Something went wrong on my side (ref `{ref}`). It has been logged.",
        )
        log.error(
            "unexpected error ref=%s in %s guild=%s channel=%s user=%s",
            ref,
            where or _origin(interaction),
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            exc_info=_unwrap(error),
        )
    else:
        log.info(
            "refused %s for user=%s guild=%s: %s",
            where or _origin(interaction),
            interaction.user.id,
            interaction.guild_id,
            answer.message,
        )
    await send_answer(interaction, answer)


async def send_answer(interaction: discord.Interaction[Any], answer: Answer) -> None:
    if answer.neutral:
        embed = embeds.muted(answer.title, answer.message)
    else:
        embed = embeds.error(answer.message, answer.title)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            await interaction.response.send_message(
                embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning(
            "could not deliver an error message for interaction %s", interaction.id, exc_info=True
        )


def _origin(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    return f"component {data.get('custom_id', '?')}"


async def on_app_command_error(
    interaction: discord.Interaction[Any], error: app_commands.AppCommandError
) -> None:
    await handle_interaction_error(interaction, error)
