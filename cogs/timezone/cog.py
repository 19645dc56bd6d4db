"""``/timezone set`` and ``/timezone show``: the zone a user's typed times are read in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.preferences import PRIVACY_OWNER
from bot.time.timezones import zone_label
from bot.ui import embeds
from cogs.autocomplete import timezone_choices
from cogs.checks import write_cooldown
from cogs.timezone import strings

if TYPE_CHECKING:
    from bot.client import NexusBot


class TimezoneCog(commands.Cog):
    timezone = app_commands.Group(
        name="timezone", description="The timezone your typed times are read in."
    )

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        services = self.bot.services
        services.preferences.register_privacy(services.privacy)

    async def cog_unload(self) -> None:
        self.bot.services.privacy.remove(PRIVACY_OWNER)

    @timezone.command(name="set", description="Set your timezone, e.g. Africa/Lagos.")
    @app_commands.describe(zone="A city or IANA zone: start typing, e.g. lagos or Europe/London")
    @app_commands.autocomplete(zone=timezone_choices)
    @write_cooldown()
    async def set_zone(self, interaction: discord.Interaction[NexusBot], zone: str) -> None:
        chosen = await self.bot.services.preferences.set_timezone(interaction.user.id, zone)
        now = self.bot.services.clock.now()
        embed = embeds.success(
            strings.SAVED_TITLE,
            strings.SAVED.format(zone=zone_label(chosen, now)),
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
            strings.SHOW_TITLE,
            strings.SHOW.format(
                zone=zone_label(effective.zone.key, now),
                source=strings.SOURCES[effective.source],
                local=f"{local:%A %H:%M}",
            ),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)
