"""``/remind me``, ``/remind list``, ``/remind cancel``, and the delivered reminder's
**Snooze** and **Done** buttons."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.reminders import MAX_PENDING
from bot.ui import embeds, limits
from cogs.checks import write_cooldown
from cogs.remind import render, strings

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
            strings.SET_TITLE.format(number=reminder.number),
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
                    f"#{reminder.number}",
                    f"{embeds.when_short(reminder.due)}\n{limits.shorten(reminder.text, 300)}",
                )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @remind.command(name="cancel", description="Cancel one of your pending reminders.")
    @app_commands.describe(id="The reminder to cancel: its number in /remind list")
    @write_cooldown()
    async def cancel(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        reminder = await self.bot.services.reminders.cancel(interaction.user.id, id)
        embed = embeds.success(
            strings.CANCELLED_TITLE.format(number=reminder.number),
            limits.shorten(reminder.text, 900),
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
            name = f"#{reminder.number} · {local:%a %d %b %H:%M} · {reminder.text}"
            if needle and needle not in name.lower():
                continue
            choices.append(
                app_commands.Choice(
                    name=limits.shorten(name, limits.CHOICE_NAME), value=reminder.number
                )
            )
        return choices[: limits.AUTOCOMPLETE_CHOICES]

    # -- the delivered reminder's buttons ---------------------------------------------

    async def snooze(
        self, interaction: discord.Interaction[NexusBot], reminder_id: int, delay: timedelta
    ) -> None:
        """**Snooze 10 min** / **Snooze 1 h**: only the owner; a new delivery is booked
        and this message says until when, without buttons."""
        outcome = await self.bot.services.reminders.snooze(interaction.user.id, reminder_id, delay)
        await self._show(interaction, render.snoozed(outcome.reminder), outcome.reminder.user_id)

    async def done(self, interaction: discord.Interaction[NexusBot], reminder_id: int) -> None:
        """**Done**: only the owner; the message says so, without buttons."""
        outcome = await self.bot.services.reminders.done(interaction.user.id, reminder_id)
        await self._show(interaction, render.done(outcome.reminder), outcome.reminder.user_id)

    async def _show(
        self, interaction: discord.Interaction[NexusBot], text: str, owner_id: int
    ) -> None:
        """Edit the clicked message in place (an edit notifies nobody)."""
        content = render.addressed(text, owner_id, in_channel=interaction.guild_id is not None)
        await interaction.response.edit_message(content=content, view=None)
