"""The pinned how-to posts ``/nexus setup`` leaves in the Q&A forum and the sessions
channel: posted once, found again and edited in place by every later setup, never
duplicated (the post's place is remembered; a post made by a run that was killed
before remembering it is found among the bot's own posts)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import nonces
from bot.db.guild_settings import GuildSettings
from bot.ui import markup
from cogs.nexus import strings

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

NONE = discord.AllowedMentions.none()


class Guides:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def place(self, guild: discord.Guild, settings: GuildSettings) -> list[str]:
        """Post or update each configured channel's how-to; a line per channel saying
        where it is, or what an admin can do about it."""
        lines = []
        for where, channel_id in (
            ("qa", settings.qa_channel_id),
            ("sessions", settings.sessions_channel_id),
        ):
            channel = guild.get_channel(channel_id) if channel_id else None
            if channel is None or not _may_post(channel):
                continue  # the permission check above already says what is missing
            label = strings.GUIDE_WHERE[where]
            try:
                lines.append(await self._place(guild, where, channel, label))
            except discord.HTTPException as error:
                log.warning("how-to in %s of guild %s failed: %s", channel.id, guild.id, error)
                reason = error.text or f"Discord said {error.status}"
                lines.append(
                    strings.GUIDE_FAILED.format(where=label, channel=channel.id, reason=reason)
                )
        return lines

    async def _place(self, guild: discord.Guild, where: str, channel: Any, label: str) -> str:
        if isinstance(channel, discord.ForumChannel):
            post_id = await self._forum_post(guild, channel)
            if post_id is None:
                reason = strings.GUIDE_NEEDS_TAG
                return strings.GUIDE_FAILED.format(where=label, channel=channel.id, reason=reason)
            await self.bot.services.guilds.remember_guide(guild.id, where, channel.id, post_id)
            return strings.GUIDE_AT.format(where=label, link=markup.jump_url(guild.id, post_id))
        text = strings.QA_GUIDE if where == "qa" else strings.SESSIONS_GUIDE
        message_id = await self._message(guild, where, channel, text)
        await self.bot.services.guilds.remember_guide(guild.id, where, channel.id, message_id)
        link = markup.jump_url(guild.id, channel.id, message_id)
        if not _may_pin(channel):
            return strings.GUIDE_NOT_PINNED.format(where=label, channel=channel.id)
        await self.bot.delivery.pin(channel.id, message_id)
        return strings.GUIDE_AT.format(where=label, link=link)

    async def _message(self, guild: discord.Guild, where: str, channel: Any, text: str) -> int:
        delivery = self.bot.delivery
        stored = await self.bot.services.guilds.guide(guild.id, where)
        message_id = stored[1] if stored and stored[0] == channel.id else None
        if message_id is None:
            first_line = text.split("\n", 1)[0]
            message_id = await delivery.find_own_message(channel.id, since=None, content=first_line)
        if message_id is not None:
            try:
                await delivery.edit(channel.id, message_id, content=text)
                return message_id
            except discord.NotFound:
                log.info("how-to %s in %s was deleted; posting it again", message_id, channel.id)
        nonce = nonces.guide(guild.id, where[0])
        message = await delivery.send(channel.id, nonce=nonce, content=text)
        return message.id

    async def _forum_post(self, guild: discord.Guild, forum: discord.ForumChannel) -> int | None:
        """The forum's how-to post (a pinned post: its first message has its id)."""
        delivery = self.bot.delivery
        stored = await self.bot.services.guilds.guide(guild.id, "qa")
        post_id = stored[1] if stored and stored[0] == forum.id else None
        if post_id is None:
            found = await delivery.own_threads(guild.id, strings.QA_GUIDE_TITLE, parent_id=forum.id)
            post_id = found[0] if found else None
        if post_id is not None:
            try:
                await delivery.edit_thread(post_id, archived=False, pinned=True)
                await delivery.edit(post_id, post_id, content=strings.QA_GUIDE)
                return post_id
            except discord.NotFound:
                log.info("how-to post %s in %s was deleted; posting again", post_id, forum.id)
        tags = _catch_all_tag(forum)
        if forum.flags.require_tag and not tags:
            return None
        created = await forum.create_thread(
            name=strings.QA_GUIDE_TITLE,
            content=strings.QA_GUIDE,
            applied_tags=tags,
            allowed_mentions=NONE,
        )
        await delivery.edit_thread(created.thread.id, pinned=True)
        return created.thread.id


def _may_post(channel: Any) -> bool:
    perms = channel.permissions_for(channel.guild.me)
    if isinstance(channel, discord.ForumChannel):
        # A post, pinned: what the Q&A forum's permission check requires anyway.
        return bool(perms.view_channel and perms.send_messages and perms.manage_threads)
    return bool(perms.view_channel and perms.send_messages)


def _may_pin(channel: Any) -> bool:
    perms = channel.permissions_for(channel.guild.me)
    return bool(perms.pin_messages)


def _catch_all_tag(forum: discord.ForumChannel) -> list[discord.ForumTag]:
    """A forum that requires a tag gets the how-to under its ``other`` tag, if any."""
    if not forum.flags.require_tag:
        return []
    return [tag for tag in forum.available_tags if tag.name.casefold() == "other"][:1]
