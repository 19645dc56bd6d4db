"""``/timezone set`` and ``/timezone show``: the zone a user's typed times are read in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.timezones import zone_label
from bot.ui import embeds
from cogs.autocomplete import timezone_choices
from cogs.checks import write_cooldown

if TYPE_CHECKING:
    from bot.client import NexusBot

_SOURCES = {
    "yours": "your own setting",
    "server": "this server's timezone (you have not set yours)",
    "default": "UTC (neither you nor this server have set one)",
}


class TimezoneCog(commands.Cog):
    timezone = app_commands.Group(
        name="timezone", description="The timezone your typed times are read in."
    )

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    @timezone.command(name="set", description="Set your timezone, e.g. Africa/Lagos.")
    @app_commands.describe(zone="A city or IANA zone: start typing, e.g. lagos or Europe/London")
    @app_commands.autocomplete(zone=timezone_choices)
    @write_cooldown()
    async def set_zone(self, interaction: discord.Interaction[NexusBot], zone: str) -> None:
        chosen = await self.bot.services.preferences.set_timezone(interaction.user.id, zone)
        now = self.bot.services.clock.now()
        embed = embeds.success(
            "Timezone saved",
            f"Your timezone is now **{zone_label(chosen, now)}**. Times you type are read in "
            "it, and everyone sees times in their own local time.",
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @timezone.command(name="show", description="Show the timezone your typed times are read in.")
    async def show(self, interaction: discord.Interaction[NexusBot]) -> None:
        effective = await self.bot.services.preferences.effective_zone(
            interaction.user.id, interaction.guild_id
        )
        now = self.bot.services.clock.now()
        local = now.astimezone(effective.zone)
        embed = embeds.info(
            "Your timezone",
            f"**{zone_label(effective.zone.key, now)}**, from {_SOURCES[effective.source]}.\n"
            f"Your local time now: {local:%A %H:%M}. "
            "Change it with `/timezone set`.",
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)
