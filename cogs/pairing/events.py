"""Pairing's timers and start-up repair: requests that expire, the week-later check-in,
scheduled rounds, and threads a crash left unopened. Registered with the scheduler and
forget-me while the cog is loaded."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.db.timers import Timer
from bot.errors import NotConfigured
from bot.scheduling import TimerKind
from bot.services.pairing.service import PRIVACY_OWNER
from bot.services.pairing.terms import KIND_CHECKIN, KIND_EXPIRY, KIND_ROUND, KINDS
from cogs.pairing import render
from cogs.pairing.publish import PairingPublisher

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class PairingEvents(commands.Cog):
    def __init__(self, bot: NexusBot, publisher: PairingPublisher) -> None:
        self.bot = bot
        self.publisher = publisher
        self.repairs: dict[int, asyncio.Task[int]] = {}

    async def cog_load(self) -> None:
        services = self.bot.services
        services.scheduler.register(KIND_EXPIRY, TimerKind(handler=self.expire))
        services.scheduler.register(KIND_CHECKIN, TimerKind(handler=self.check_in))
        services.scheduler.register(KIND_ROUND, TimerKind(handler=self.scheduled_round))
        services.pairing.register_privacy(services.privacy)
        services.privacy.after_forget(PRIVACY_OWNER, self._after_forget)

    async def cog_unload(self) -> None:
        for kind in KINDS:
            self.bot.services.scheduler.unregister(kind)
        self.bot.services.privacy.remove(PRIVACY_OWNER)
        for task in self.repairs.values():
            task.cancel()

    # -- timers ---------------------------------------------------------------------------

    async def expire(self, timer: Timer) -> None:
        request = await self.bot.services.pairing.expire(timer.subject_id or 0)
        if request is not None:
            await self.publisher.close_request(request)

    async def check_in(self, timer: Timer) -> None:
        pair = await self.bot.services.pairing.checkin_due(timer.subject_id or 0)
        if pair is not None:
            await self.publisher.check_in(pair, timer.nonce())

    async def scheduled_round(self, timer: Timer) -> None:
        """A round on the server's schedule; the report goes to the pairing channel."""
        guild_id = timer.guild_id or 0
        pairing = self.bot.services.pairing
        try:
            channel_id = await self.bot.services.guilds.require(guild_id, "pairing_channel")
        except NotConfigured:
            log.info("guild %s: scheduled round skipped, no pairing channel", guild_id)
            await pairing.rounds.book_next(guild_id, timer)
            return
        report = await pairing.rounds.plan(guild_id, started_by=None, timer_id=timer.id)
        await self.publisher.open_all(report.pairs, channel_id)
        await pairing.rounds.finish(report.round_id)
        await pairing.rounds.book_next(guild_id, timer)
        if report.learners:
            await self.bot.delivery.send(
                channel_id, nonce=timer.nonce("report"), embed=render.round_report(report)
            )

    # -- start-up repair ------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Threads a crash left unopened (a round cut short, an accept mid-way) are
        opened once the server is back, and the rounds they belong to finish."""
        if guild.id not in self.repairs:
            self.repairs[guild.id] = asyncio.create_task(
                self.repair(guild.id), name=f"pairing-repair-{guild.id}"
            )

    async def repair(self, guild_id: int) -> int:
        pairing = self.bot.services.pairing
        try:
            waiting = await pairing.pairs_without_thread(guild_id)
            if waiting:
                channel_id = await self.bot.services.guilds.require(guild_id, "pairing_channel")
                log.info(
                    "guild %s: opening %d pair thread(s) after a restart", guild_id, len(waiting)
                )
                await self.publisher.open_all(waiting, channel_id)
            for round_id in await pairing.rounds.unfinished(guild_id):
                if not await pairing.pairs_without_thread(guild_id):
                    await pairing.rounds.finish(round_id)
            return len(waiting)
        except Exception:
            log.exception("pairing repair failed in guild %s", guild_id)
            return 0

    # -- privacy --------------------------------------------------------------------------

    async def _after_forget(self, user_id: int) -> None:
        for request in self.bot.services.pairing.take_forgotten_requests(user_id):
            await self.publisher.close_request(request, withdrawn=True)
