"""What announcements do on Discord: post an occurrence (with exactly the chosen ping),
publish it in an announcement channel, edit or delete posted messages, tell the author.

A post's nonce is (announcement, occurrence): after a kill between the post and its
record, the retried timer sends the same nonce and Discord returns the message already
posted, which is then recorded, so nothing goes out twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot import nonces
from bot.db.announcements import Announcement, Post
from bot.delivery import quietly
from bot.services.announcements.service import PUBLISH_LIMIT, Claim
from cogs.announcements import render, strings

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

ALREADY_CROSSPOSTED = 40033  # Discord's code: "This message has already been crossposted"


class AnnouncementPublisher:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def post(self, claim: Claim, *, actor_id: int | None) -> tuple[Announcement, bool]:
        """Post one occurrence and record it; True when it was published (or needed
        no publishing), False when Discord's publish limit kept it back."""
        a = claim.announcement
        service = self.bot.services.announcements
        message = await self.bot.delivery.send(
            a.channel_id,
            nonce=nonces.announcement(a.id, claim.occurrence),
            content=render.ping_text(a),
            embed=render.announcement(a),
            role=None if a.pings_everyone else a.ping_role_id,
            everyone=a.pings_everyone,
        )
        updated = await service.posted(
            claim, channel_id=a.channel_id, message_id=message.id, actor_id=actor_id
        )
        published = await self._publish(claim, message)
        return updated, published

    async def _publish(self, claim: Claim, message: discord.Message) -> bool:
        channel = self.bot.get_channel(message.channel.id)
        if not isinstance(channel, discord.TextChannel) or not channel.is_news():
            return True
        service = self.bot.services.announcements
        if message.flags.crossposted:  # a retry got back the message published before
            await service.published(claim, done=True)
            return True
        if not await service.may_publish(channel.id):
            await service.published(claim, done=False)
            return False
        try:
            await self.bot.delivery.publish(channel.id, message.id)
        except discord.HTTPException as error:
            if error.code != ALREADY_CROSSPOSTED:  # else: a lost response, published
                log.warning("announcement %s not published: %s", claim.announcement.id, error)
                await service.published(claim, done=False)
                return False
        await service.published(claim, done=True)
        return True

    async def tell_author(self, a: Announcement, content: str, part: str) -> None:
        """By DM, or a mention in the announcements channel when DMs are closed."""
        if a.author_id is None:
            return
        await quietly(
            self.bot.delivery.dm(
                a.author_id,
                nonce=nonces.announcement_notice(a.id, part),
                content=content,
                fallback_channel_id=a.channel_id,
            ),
            f"notice to the author of announcement {a.id}",
        )

    async def not_published(self, a: Announcement) -> None:
        await self.tell_author(
            a,
            strings.NOT_PUBLISHED_NOTICE.format(id=a.id, channel=a.channel_id, limit=PUBLISH_LIMIT),
            f"np{a.occurrence}",
        )

    async def edit_posts(self, a: Announcement, posts: list[Post]) -> None:
        for post in posts:
            await self.bot.delivery.edit(
                post.channel_id, post.message_id, embed=render.announcement(a)
            )

    async def delete_posts(self, posts: list[Post]) -> None:
        for post in posts:
            try:
                await self.bot.delivery.delete(post.channel_id, post.message_id)
            except discord.NotFound:
                log.info("announcement message %s was already gone", post.message_id)
