"""Reminder delivery: the timer handler, registered while the cog is loaded, with
the reminders' forget-me holder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.reminders import KIND, PRIVACY_OWNER
from cogs.remind import render
from cogs.remind.views import delivered_view

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
        reminders = self.bot.services.reminders
        reminder = await reminders.get(timer.subject_id)
        if reminder is None or reminder.done_at is not None:
            return  # deleted (cancelled or forgotten) or done after it was claimed
        await self.bot.delivery.dm(
            reminder.user_id,
            nonce=timer.nonce(),
            content=render.delivered(reminder, late=reminders.is_late(reminder)),
            view=delivered_view(reminder.id),
            fallback_channel_id=reminder.channel_id,
        )
