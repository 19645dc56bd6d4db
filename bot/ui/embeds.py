"""The one embed style. Every embed the bot sends is built here."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.ui import limits
from bot.ui.markup import timestamp as timestamp  # the one timestamp builder, re-exported

BRAND = discord.Colour(0x5865F2)
SUCCESS = discord.Colour(0x2ECC71)
WARNING = discord.Colour(0xF1C40F)
ERROR = discord.Colour(0xE74C3C)
MUTED = discord.Colour(0x95A5A6)


def _embed(title: str, description: str | None, colour: discord.Colour) -> discord.Embed:
    return discord.Embed(
        title=limits.shorten(title, limits.EMBED_TITLE),
        description=None
        if description is None
        else limits.shorten(description, limits.EMBED_DESCRIPTION),
        colour=colour,
    )


def info(title: str, description: str | None = None) -> discord.Embed:
    return _embed(title, description, BRAND)


def success(title: str, description: str | None = None) -> discord.Embed:
    return _embed(title, description, SUCCESS)


def warning(title: str, description: str | None = None) -> discord.Embed:
    return _embed(title, description, WARNING)


def error(description: str, title: str = "That didn't work") -> discord.Embed:
    return _embed(title, description, ERROR)


def muted(title: str, description: str | None = None) -> discord.Embed:
    return _embed(title, description, MUTED)


def add_field(embed: discord.Embed, name: str, value: str, *, inline: bool = False) -> bool:
    """Add a field if the embed has room; False when Discord's limits would be exceeded."""
    if len(embed.fields) >= limits.EMBED_FIELDS:
        return False
    name = limits.shorten(name, limits.EMBED_FIELD_NAME)
    value = limits.shorten(value or "\u200b", limits.EMBED_FIELD_VALUE)
    if len(embed) + len(name) + len(value) > limits.EMBED_TOTAL:
        return False
    embed.add_field(name=name, value=value, inline=inline)
    return True


def when(instant: datetime) -> str:
    """Absolute and relative, the full date: ``<t:…:F> (<t:…:R>)``. For cards and
    confirmations, where one instant is the subject."""
    return f"{timestamp(instant, 'F')} ({timestamp(instant, 'R')})"


def when_short(instant: datetime) -> str:
    """The same order, the short date: ``<t:…:f> (<t:…:R>)``. For lists."""
    return f"{timestamp(instant, 'f')} ({timestamp(instant, 'R')})"
