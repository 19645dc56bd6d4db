"""Reminder delivery: the timer handler, registered while the cog is loaded, with
the reminders' forget-me holder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.reminders import KIND, PRIVACY_OWNER
from bot.ui import embeds
from cogs.remind import strings

if TYPE_CHECKING:
    from bot.client import NexusBot


class RemindEvents(commands.Cog):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        services = self.bot.services
        services.scheduler.register(KIND, TimerKind(handler=self.deliver))
        services.reminders.register_privacy(services.privacy)

    async def cog_unload(self) -> None:
        self.bot.services.scheduler.unregister(KIND)
        self.bot.services.privacy.remove(PRIVACY_OWNER)

    async def deliver(self, timer: Timer) -> None:
        if timer.subject_id is None:
            return
        reminder = await self.bot.services.reminders.get(timer.subject_id)
        if reminder is None:
            return  # deleted (cancelled or forgotten) after it was claimed
        content = strings.DELIVERED.format(what=reminder.text)
        if self.bot.services.reminders.is_late(reminder):
            late = strings.LATE.format(relative=embeds.timestamp(reminder.due, "R"))
            content = f"{content}\n{late}"
        await self.bot.delivery.dm(
            reminder.user_id,
            nonce=timer.nonce(),
            content=content,
            fallback_channel_id=reminder.channel_id,
        )
