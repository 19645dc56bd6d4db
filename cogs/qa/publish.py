"""Discord side of Q&A threads: posting a question into a forum or a text channel, the
bot's reply in a member's own forum post, editing the opener, reading who replied,
marking the answer, forum tags (found by name, created when missing and allowed),
archiving and reopening.

Every send passes explicit allowed mentions: none, or exactly the users or role pinged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal, cast

import discord

from bot import nonces
from bot.db.intents import Intent
from bot.db.qa import Question
from bot.delivery import quietly, retrying
from bot.errors import NotConfigured
from bot.services.intents import QA_POST
from bot.services.qa.rules import Adopted, Ask
from bot.ui import limits
from cogs.qa import render, strings
from cogs.qa.views import Replier, opener_view

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

MAX_FORUM_TAGS = 20
MAX_APPLIED_TAGS = 5
ARCHIVE_AFTER_MINUTES: Literal[10080] = 10080  # Discord's longest: our timers close quiet threads
NONE = discord.AllowedMentions.none()
ANSWER_MARK = "✅"
HISTORY_LOOKBACK = 100  # messages read back to find who replied in a thread
# Message types that are someone writing in the thread (not joins, pins or renames).
WRITTEN = (discord.MessageType.default, discord.MessageType.reply)


def tag_key(name: str) -> str:
    """``REST API``, ``rest-api`` and ``Rest_Api`` name the same tag."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def find_tag(tags: Any, name: str) -> discord.ForumTag | None:
    key = tag_key(name)
    return next((tag for tag in tags if tag_key(tag.name) == key), None)


class QAThreads:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._tag_locks: dict[int, asyncio.Lock] = {}

    async def channel(self, channel_id: int) -> Any:
        found = self.bot.get_channel(channel_id)
        if found is None:
            found = await self.bot.fetch_channel(channel_id)
        return found

    async def thread(self, thread_id: int) -> discord.Thread | None:
        try:
            found = await self.channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None
        return found if isinstance(found, discord.Thread) else None

    # -- posting -----------------------------------------------------------------------

    async def publish(self, intent: Intent, *, adopt: bool = False) -> Question:
        """Post the question the intent describes and store it, once. With ``adopt``
        (the reconciliation at start, after a kill) a post or opener that the killed
        run made is found and kept instead of being made again."""
        services = self.bot.services
        asker_id = intent.user_id
        ask = Ask(**intent.payload)
        try:
            thread_id, opener_id = await retrying(
                lambda attempt: self._post(intent, ask, adopt=adopt or attempt > 0),
                f"question post {intent.id}",
            )
        except Exception:
            # The asker is told it failed and may ask again: nothing is left to finish.
            # (A kill raises nothing here, so its intent stays for the reconciliation.)
            await services.intents.complete(intent)
            raise
        question = await services.qa.by_thread(thread_id)
        if question is None:
            question = await services.qa.record_question(
                guild_id=intent.guild_id,
                channel_id=intent.channel_id,
                thread_id=thread_id,
                opener_id=opener_id,
                asker_id=asker_id or 0,
                ask=ask,
            )
        await services.intents.complete(intent)
        if asker_id:
            # The bot opened the thread: add the asker so replies notify them.
            await self.bot.thread_members.add(intent.guild_id, thread_id, [asker_id], fresh=True)
        return question

    async def _post(self, intent: Intent, ask: Ask, *, adopt: bool) -> tuple[int, int]:
        """The question's post (forum) or thread (text channel): its id and its opener
        message's id."""
        channel_id = intent.channel_id
        channel = await self.channel(channel_id)
        content = render.opener(ask, intent.user_id)
        view = opener_view(intent.user_id)
        name = limits.shorten(ask.title, limits.THREAD_NAME)
        delivery = self.bot.delivery
        if isinstance(channel, discord.ForumChannel):
            if adopt:
                for found in await delivery.own_threads(
                    intent.guild_id, name, parent_id=channel_id, since=intent.created_at
                ):
                    if await self.bot.services.qa.by_thread(found) is None:
                        return found, found  # a forum post's first message has its id
            tag = await self.ensure_tag(channel, ask.topic)
            if tag is None and channel.flags.require_tag:
                # Discord refuses an untagged post here: use the catch-all topic's tag,
                # or say what an admin can do before anything is posted.
                tag = find_tag(channel.available_tags, "other")
                if tag is None:
                    raise NotConfigured(strings.TAG_REQUIRED.format(topic=ask.topic))
            created = await channel.create_thread(
                name=name,
                content=content,
                view=view if view is not None else discord.utils.MISSING,
                applied_tags=[tag] if tag else [],
                allowed_mentions=NONE,
                auto_archive_duration=ARCHIVE_AFTER_MINUTES,
            )
            thread_id, opener_id = created.thread.id, created.message.id
        elif isinstance(channel, discord.TextChannel):
            found_id = None
            if adopt:
                found_id = await delivery.find_own_message(
                    channel_id, since=intent.created_at, content=content
                )
            if found_id is None:
                opener = await delivery.send(
                    channel_id, nonce=nonces.question(intent.id), content=content, view=view
                )
                found_id = opener.id
            opener_id = found_id
            thread_id = await delivery.start_thread(
                channel_id, opener_id, name=name, archive_minutes=ARCHIVE_AFTER_MINUTES
            )
        else:
            raise NotConfigured(strings.NOT_A_FORUM_OR_TEXT)
        log.info(
            "posted question thread %s in channel %s guild=%s",
            thread_id,
            channel_id,
            intent.guild_id,
        )
        return thread_id, opener_id

    async def reconcile(self, guild_id: int) -> int:
        """Finish every question post a kill interrupted in this server; how many."""
        done = 0
        for intent in await self.bot.services.intents.pending(guild_id, QA_POST):
            try:
                question = await self.publish(intent, adopt=True)
            except discord.HTTPException as error:
                log.warning("interrupted question post %s not finished: %s", intent.id, error)
                continue
            log.info("interrupted question post %s finished as question %s", intent.id, question.id)
            done += 1
        for adopted in await self.bot.services.qa.posts.hints_owed(guild_id):
            await quietly(self.send_hint(adopted), f"reply in member post {adopted.question.id}")
        return done

    async def send_hint(self, adopted: Adopted) -> None:
        """The bot's one reply in a post a member opened in the Q&A forum: similar solved
        questions, if any, and how to mark a solution. Its nonce comes from the thread,
        so a replayed event or a retry after a kill returns the same message."""
        question = adopted.question
        pages = await self.bot.services.web.page_links(
            question.guild_id, [hit.question for hit in adopted.similar]
        )
        content, embed = render.forum_hint(adopted, pages)
        message = await self.bot.delivery.send(
            question.thread_id,
            nonce=nonces.question_hint(question.thread_id),
            content=content,
            embed=embed,
        )
        await self.bot.services.qa.posts.hint_sent(question.id, message.id)

    # -- tags --------------------------------------------------------------------------

    async def ensure_tag(self, forum: discord.ForumChannel, name: str) -> discord.ForumTag | None:
        """The forum's tag called ``name`` (any case or punctuation); created when missing
        and the bot may manage the channel, otherwise None (post without it)."""
        tag = find_tag(forum.available_tags, name)
        if tag is not None:
            return tag
        lock = self._tag_locks.setdefault(forum.id, asyncio.Lock())
        async with lock:
            # The cache may lag behind a tag created a moment ago: read the forum afresh.
            fresh = await self.bot.fetch_channel(forum.id)
            current = fresh if isinstance(fresh, discord.ForumChannel) else forum
            tag = find_tag(current.available_tags, name)
            if tag is not None:
                return tag
            me = forum.guild.me
            allowed = me is not None and forum.permissions_for(me).manage_channels
            if not allowed or len(current.available_tags) >= MAX_FORUM_TAGS:
                return None
            try:
                created = await current.create_tag(name=name[: limits.FORUM_TAG_NAME])
            except discord.HTTPException:
                log.warning("could not create tag %r in forum %s", name, forum.id, exc_info=True)
                return None
            log.info("created tag %r (%s) in forum %s", name, created.id, forum.id)
            return created

    async def _parent_forum(self, thread: discord.Thread) -> discord.ForumChannel | None:
        parent = thread.parent
        if parent is None and thread.parent_id:
            with contextlib.suppress(discord.HTTPException):
                parent = await self.channel(thread.parent_id)
        return parent if isinstance(parent, discord.ForumChannel) else None

    async def _tags_with(
        self, thread: discord.Thread, forum: discord.ForumChannel, solved: bool
    ) -> list[discord.ForumTag] | None:
        """The thread's tags with (or without) ``Solved``, at most 5; None if unchanged.

        Works on tag ids: a tag created a moment ago may not be in the cache yet."""
        current = list(thread._applied_tags)
        if solved:
            tag = await self.ensure_tag(forum, strings.SOLVED_TAG)
            if tag is None:
                return None
            others = [i for i in current if i != tag.id]
            wanted = [*others[: MAX_APPLIED_TAGS - 1], tag.id]
        else:
            tag = find_tag(forum.available_tags, strings.SOLVED_TAG)
            wanted = [i for i in current if tag is None or i != tag.id]
        if wanted == current:
            return None
        # Thread.edit only reads each tag's id.
        return cast(list[discord.ForumTag], [discord.Object(i) for i in wanted])

    # -- state changes -----------------------------------------------------------------

    async def archive(self, thread: discord.Thread, *, solved: bool) -> None:
        """Archive (never lock: a new reply reopens it), tagging ``Solved`` when solved."""
        changes: dict[str, Any] = {"archived": True}
        forum = await self._parent_forum(thread)
        if forum is not None:
            tags = await self._tags_with(thread, forum, solved)
            if tags is not None:
                changes["applied_tags"] = tags
        await thread.edit(**changes)

    async def reopen(self, thread: discord.Thread, *, unarchive: bool) -> None:
        """Drop the ``Solved`` tag and (when asked) unarchive."""
        changes: dict[str, Any] = {}
        if unarchive and thread.archived:
            changes["archived"] = False
        forum = await self._parent_forum(thread)
        if forum is not None:
            tags = await self._tags_with(thread, forum, solved=False)
            if tags is not None:
                changes["applied_tags"] = tags
        if changes:
            await thread.edit(**changes)

    async def reattribute(self, question: Question) -> None:
        """Rewrite a forgotten asker's opener to name "a former member" (and drop its
        Edit button). A member's own post stays as they wrote it."""
        if question.origin != "ask":
            return
        async with self._editable(question):
            await self.bot.delivery.edit(
                await self._opener_channel(question),
                question.opener_id,
                content=render.opener_of(question),
                view=None,
            )

    async def edit_opener(self, question: Question) -> None:
        """Show the asker's edited question: the opener's text and the thread's name."""
        async with self._editable(question):
            await self.bot.delivery.edit(
                await self._opener_channel(question),
                question.opener_id,
                content=render.opener_of(question),
                view=opener_view(question.asker_id),
            )
            thread = await self.thread(question.thread_id)
            name = limits.shorten(question.title, limits.THREAD_NAME)
            if thread is None or thread.name != name:
                await self.bot.delivery.edit_thread(question.thread_id, name=name)

    async def _opener_channel(self, question: Question) -> int:
        """A forum post's opener is in the post; a text channel's is in the channel."""
        parent = await self.channel(question.channel_id)
        return question.thread_id if isinstance(parent, discord.ForumChannel) else parent.id

    @contextlib.asynccontextmanager
    async def _editable(self, question: Question) -> AsyncIterator[None]:
        """An archived thread takes no edits: unarchive it meanwhile, then archive again."""
        thread = await self.thread(question.thread_id)
        archived = thread is not None and thread.archived
        if thread is not None and archived:
            await thread.edit(archived=False)
        try:
            yield
        finally:
            if thread is not None and archived:
                await thread.edit(archived=True)

    # -- who helped --------------------------------------------------------------------

    async def repliers(self, thread_id: int, asker_id: int | None) -> list[Replier]:
        """Everyone but bots and the asker who wrote in the thread lately, each with
        their latest message there, the latest writer first."""
        thread = await self.thread(thread_id)
        found: dict[int, Replier] = {}
        if thread is None:
            return []
        try:
            async for message in thread.history(limit=HISTORY_LOOKBACK):
                author = message.author
                if author.bot or author.id in (asker_id, *found) or message.type not in WRITTEN:
                    continue
                found[author.id] = Replier(author.id, author.display_name, message.id)
        except discord.HTTPException:
            log.info("could not read the history of thread %s", thread_id, exc_info=True)
        return list(found.values())

    async def mark_answer(self, thread_id: int, message_id: int) -> None:
        """React ✅ on the accepted answer, when the bot may (before the thread is
        archived: an archived thread takes no reactions)."""
        thread = await self.thread(thread_id)
        me = thread.guild.me if thread is not None else None
        if thread is None or me is None or thread.archived:
            return
        allowed = thread.permissions_for(me)
        if not (allowed.add_reactions and allowed.read_message_history):
            log.info("no Add Reactions in thread %s: answer %s not marked", thread_id, message_id)
            return
        await quietly(
            self.bot.delivery.react(thread_id, message_id, ANSWER_MARK),
            f"marking answer {message_id} in thread {thread_id}",
        )
