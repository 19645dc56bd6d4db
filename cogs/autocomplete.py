"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.time.timezones import suggest_zones
from bot.ui import limits


async def timezone_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=zone[: limits.CHOICE_NAME], value=zone)
        for zone in suggest_zones(current, limit=limits.AUTOCOMPLETE_CHOICES)
    ]
