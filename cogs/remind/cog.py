"""``/remind me``, ``/remind list``, ``/remind cancel``, and the reminder delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.reminders import MAX_PENDING
from bot.ui import embeds, limits
from cogs.checks import write_cooldown
from cogs.remind import strings

if TYPE_CHECKING:
    from bot.client import NexusBot


class RemindCog(commands.Cog):
    remind = app_commands.Group(name="remind", description="Reminders for yourself.")

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    @remind.command(name="me", description="Remind yourself of something later.")
    @app_commands.describe(
        when="When: tomorrow 6pm, in 2 hours, friday 18:00, 2026-12-01 18:00, or 2h30m",
        what="What to remind you of",
    )
    @write_cooldown()
    async def me(self, interaction: discord.Interaction[NexusBot], when: str, what: str) -> None:
        channel_id = interaction.channel_id
        if channel_id is None:
            raise app_commands.NoPrivateMessage()
        reminder = await self.bot.services.reminders.create(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=channel_id,
            when=when,
            what=what,
        )
        embed = embeds.success(
            strings.SET_TITLE.format(id=reminder.id),
            strings.SET.format(
                when=embeds.when(reminder.due), what=limits.shorten(reminder.text, 900)
            ),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)
        self.bot.delivery.open_dm_soon(interaction.user.id)

    @remind.command(name="list", description="Your pending reminders.")
    async def list_(self, interaction: discord.Interaction[NexusBot]) -> None:
        pending = await self.bot.services.reminders.pending(interaction.user.id)
        if not pending:
            embed = embeds.info(strings.NONE_TITLE, strings.NONE)
        else:
            embed = embeds.info(
                strings.LIST_TITLE.format(count=len(pending), limit=MAX_PENDING),
                strings.LIST,
            )
            for reminder in pending:
                embeds.add_field(
                    embed,
                    f"#{reminder.id} · {embeds.timestamp(reminder.due, 'R')}",
                    f"{embeds.timestamp(reminder.due)}\n{limits.shorten(reminder.text, 300)}",
                )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @remind.command(name="cancel", description="Cancel one of your pending reminders.")
    @app_commands.describe(id="The reminder to cancel")
    @write_cooldown()
    async def cancel(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        reminder = await self.bot.services.reminders.cancel(interaction.user.id, id)
        embed = embeds.success(
            strings.CANCELLED_TITLE.format(id=reminder.id), limits.shorten(reminder.text, 900)
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @cancel.autocomplete("id")
    async def cancel_choices(
        self, interaction: discord.Interaction[NexusBot], current: str
    ) -> list[app_commands.Choice[int]]:
        services = self.bot.services
        pending = await services.reminders.pending(interaction.user.id)
        zone = (await services.preferences.effective_zone(interaction.user.id, None)).zone
        needle = current.strip().lstrip("#").lower()
        choices = []
        for reminder in pending:
            local = reminder.due.astimezone(zone)
            name = f"#{reminder.id} · {local:%a %d %b %H:%M} · {reminder.text}"
            if needle and needle not in name.lower():
                continue
            choices.append(
                app_commands.Choice(
                    name=limits.shorten(name, limits.CHOICE_NAME), value=reminder.id
                )
            )
        return choices[: limits.AUTOCOMPLETE_CHOICES]
