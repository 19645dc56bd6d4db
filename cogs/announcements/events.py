"""Announcements' timers: scheduled and repeating posts (retried 3 times, backing off,
then the author is told), and the weekly digest. Registered with the scheduler and
forget-me while the cog is loaded."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.db.timers import Timer
from bot.delivery import quietly
from bot.errors import NotConfigured
from bot.scheduling import TimerKind
from bot.services.announcements.digest import KIND_DIGEST
from bot.services.announcements.service import KIND_POST, POST_ATTEMPTS, PRIVACY_OWNER
from cogs.announcements import render, strings
from cogs.announcements.publish import AnnouncementPublisher

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class AnnounceEvents(commands.Cog):
    def __init__(self, bot: NexusBot, publisher: AnnouncementPublisher) -> None:
        self.bot = bot
        self.publisher = publisher

    async def cog_load(self) -> None:
        services = self.bot.services
        services.scheduler.register(
            KIND_POST,
            TimerKind(handler=self.post_due, on_failed=self.failed, max_attempts=POST_ATTEMPTS),
        )
        services.scheduler.register(KIND_DIGEST, TimerKind(handler=self.digest_due))
        services.announcements.register_privacy(services.privacy)
        services.privacy.after_forget(PRIVACY_OWNER, self._after_forget)

    async def cog_unload(self) -> None:
        for kind in (KIND_POST, KIND_DIGEST):
            self.bot.services.scheduler.unregister(kind)
        self.bot.services.privacy.remove(PRIVACY_OWNER)

    async def post_due(self, timer: Timer) -> None:
        service = self.bot.services.announcements
        expected = timer.payload.get("occurrence")
        claim = await service.claim(
            timer.subject_id or 0, int(expected) if expected is not None else None
        )
        if claim is None:
            return
        posted, published = await self.publisher.post(claim, actor_id=None)
        if not published:
            await self.publisher.not_published(posted)

    async def failed(self, timer: Timer) -> None:
        announcement = await self.bot.services.announcements.failed(
            timer.subject_id or 0, "Discord kept refusing or failing"
        )
        if announcement is None:
            return
        await self.publisher.tell_author(
            announcement,
            strings.FAILED_NOTICE.format(
                id=announcement.id,
                title=announcement.title,
                channel=announcement.channel_id,
                tries=POST_ATTEMPTS,
                error="Discord kept failing",
            ),
            f"f{timer.id}",
        )

    async def digest_due(self, timer: Timer) -> None:
        guild_id = timer.guild_id or 0
        services = self.bot.services
        try:
            channel_id = await services.guilds.require(guild_id, "announcements_channel")
        except NotConfigured:
            log.info("guild %s: digest skipped, no announcements channel", guild_id)
        else:
            digest = await services.digest.compose(guild_id)
            if digest is not None:
                await self.bot.delivery.send(
                    channel_id, nonce=timer.nonce(), embed=render.digest(digest)
                )
        await services.digest.book_next_digest(guild_id, timer.due)

    async def _after_forget(self, user_id: int) -> None:
        service = self.bot.services.announcements
        for announcement in service.take_forgotten(user_id):
            posts = [p for p in await service.posts(announcement.id) if not p.deleted]
            await quietly(
                self.publisher.edit_posts(announcement, posts),
                f"re-signing announcement {announcement.id}",
            )
