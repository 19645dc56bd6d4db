"""Q&A events: thread activity from message events (author and time only; no message
content needed), the automatic timers, and re-attributing a forgotten asker's openers."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot import nonces
from bot.db.timers import Timer
from bot.delivery import quietly
from bot.errors import NotFound
from bot.scheduling import TimerKind
from bot.services.qa.rules import KIND_DORMANT, KIND_NUDGE, KIND_UNANSWERED
from bot.services.qa.service import PRIVACY_OWNER
from bot.services.setup_check import check_role_pings
from bot.time.durations import format_duration
from bot.ui import markup
from cogs.checks import actor_of
from cogs.qa import render, strings
from cogs.qa.publish import WRITTEN, QAThreads
from cogs.qa.views import SolveModal, nudge_view

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class QAEvents(commands.Cog):
    def __init__(self, bot: NexusBot, threads: QAThreads) -> None:
        self.bot = bot
        self.threads = threads
        self.reconciled: set[int] = set()

    async def cog_load(self) -> None:
        services = self.bot.services
        services.scheduler.register(KIND_UNANSWERED, TimerKind(handler=self.unanswered))
        services.scheduler.register(KIND_NUDGE, TimerKind(handler=self.nudge))
        services.scheduler.register(KIND_DORMANT, TimerKind(handler=self.dormant))
        services.qa.register_privacy(services.privacy)
        services.privacy.after_forget(PRIVACY_OWNER, self._after_forget)

    async def cog_unload(self) -> None:
        for kind in (KIND_UNANSWERED, KIND_NUDGE, KIND_DORMANT):
            self.bot.services.scheduler.unregister(kind)
        self.bot.services.privacy.remove(PRIVACY_OWNER)

    # -- after a restart ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Finish the question posts a kill interrupted (once per server per start)."""
        if guild.id in self.reconciled:
            return
        self.reconciled.add(guild.id)
        try:
            await self.threads.reconcile(guild.id)
        except Exception:
            log.exception("finishing interrupted question posts failed in guild %s", guild.id)

    # -- members' own posts ----------------------------------------------------------

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        """A member opened a post in the Q&A forum without /ask: a question too (the
        bot's own posts are recorded when it makes them)."""
        me = self.bot.user
        if me is None or thread.owner_id in (None, me.id):
            return
        forum = thread.parent
        if not isinstance(forum, discord.ForumChannel):
            return  # a text channel's thread, or a post of a forum not in the cache
        adopted = await self.bot.services.qa.posts.adopt(
            guild_id=thread.guild.id,
            forum_id=forum.id,
            thread_id=thread.id,
            owner_id=thread.owner_id,
            title=thread.name,
            tags=[tag.name for tag in thread.applied_tags],
        )
        if adopted is not None:
            await quietly(self.threads.send_hint(adopted), f"reply in member post {thread.id}")

    # -- thread activity ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.type not in WRITTEN:
            return
        channel = message.channel
        # Any thread may be a question's (also one opened before the Q&A channel was
        # changed); an uncached thread arrives as a partial channel. One indexed lookup.
        if not isinstance(channel, discord.Thread | discord.PartialMessageable):
            return
        activity = await self.bot.services.qa.timers.record_message(
            channel.id, message.author.id, message.created_at
        )
        if activity is None or not activity.reopened:
            return
        thread = channel if isinstance(channel, discord.Thread) else None
        thread = thread or await self.threads.thread(channel.id)
        if thread is not None:
            await quietly(
                self.threads.reopen(thread, unarchive=False), f"untag reopened thread {channel.id}"
            )

    # -- the nudge's buttons --------------------------------------------------------

    async def nudge_solved(
        self, interaction: discord.Interaction[NexusBot], question_id: int
    ) -> None:
        """**Solved** under a nudge: who helped (the thread's repliers, the latest one
        chosen already) and the one-line summary, in one form."""
        question = await self.bot.services.qa.get(question_id)
        if question is None:
            raise NotFound("This question no longer exists.")
        await self.bot.services.qa.check_can_solve(question.thread_id, actor_of(interaction))
        repliers = await self.threads.repliers(question.thread_id, question.asker_id)
        await interaction.response.send_modal(
            SolveModal(
                answerer_id=None,
                answer_message_id=None,
                thread_id=question.thread_id,
                repliers=repliers,
            )
        )

    async def still_need_help(
        self, interaction: discord.Interaction[NexusBot], question_id: int
    ) -> None:
        """**Still need help**: the buttons go, and a new message (an edit would notify
        nobody) pings the topic's helpers once."""
        call = await self.bot.services.qa.timers.still_needs_help(question_id, interaction.user.id)
        await interaction.response.edit_message(view=None)
        question = call.question
        source = interaction.message.id if interaction.message else question.thread_id
        await self.bot.delivery.send(
            question.thread_id,
            nonce=nonces.question_help(source),
            content=render.help_call(call, interaction.user.id),
            users=call.user_ids,
            role=call.role_id,
        )

    # -- timers ------------------------------------------------------------------------

    async def unanswered(self, timer: Timer) -> None:
        ping = await self.bot.services.qa.timers.escalation_due(
            timer.subject_id or 0, int(timer.payload.get("stage", 1))
        )
        if ping is None:
            return
        question = ping.question
        if ping.user_ids:
            who = " ".join(markup.user(user) for user in ping.user_ids)
        else:
            who = f"<@&{ping.role_id}>"
        if ping.role_id is not None and not self._role_heard(
            question.guild_id, question.channel_id, ping.role_id
        ):
            log.warning(
                "question %s: role %s is not mentionable and I lack Mention Everyone in "
                "channel %s, so this ping notifies nobody (/nexus config shows the fix)",
                question.id,
                ping.role_id,
                question.channel_id,
            )
        template = strings.ESCALATE_MENTORS if ping.stage >= 2 else strings.ESCALATE_HELPERS
        content = template.format(
            mentions=who,
            topic=question.topic,
            waited=format_duration(ping.waited, approximate=True),
        )
        await self.bot.delivery.send(
            question.thread_id,
            nonce=timer.nonce(),
            content=content,
            users=ping.user_ids,
            role=None if ping.user_ids else ping.role_id,
        )

    def _role_heard(self, guild_id: int, channel_id: int, role_id: int) -> bool:
        """Whether Discord would notify the role's members of a mention in the channel's
        threads (True when the cache can't tell)."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild else None
        role = guild.get_role(role_id) if guild else None
        if guild is None or channel is None or role is None:
            return True
        may = channel.permissions_for(guild.me).mention_everyone
        granted = {"mention_everyone"} if may else set()
        return check_role_pings(channel_id, {role_id: role.mentionable}, granted).ok

    async def nudge(self, timer: Timer) -> None:
        question = await self.bot.services.qa.timers.nudge_due(timer.subject_id or 0, timer.id)
        if question is None or question.asker_id is None:
            return
        timings = await self.bot.services.qa.timings(question.guild_id)
        content = strings.NUDGE.format(
            asker=markup.user(question.asker_id),
            waited=format_duration(timedelta(seconds=timings.nudge_after), approximate=True),
        )
        await self.bot.delivery.send(
            question.thread_id,
            nonce=timer.nonce(),
            content=content,
            view=nudge_view(question.id),
            users=[question.asker_id],
        )

    async def dormant(self, timer: Timer) -> None:
        decision = await self.bot.services.qa.timers.dormant_due(timer.subject_id or 0, timer.id)
        if decision is None:
            return
        question = decision.question
        timings = await self.bot.services.qa.timings(question.guild_id)
        waited = timedelta(seconds=timings.dormant_after)
        if decision.ask_first and question.asker_id is not None:
            closes = self.bot.services.clock.now() + waited
            await self.bot.delivery.send(
                question.thread_id,
                nonce=timer.nonce(),
                content=render.dormant_check(question.asker_id, waited, closes),
                view=nudge_view(question.id),
                users=[question.asker_id],
            )
            return
        await self.bot.delivery.send(
            question.thread_id, nonce=timer.nonce(), embed=render.dormant(waited)
        )
        thread = await self.threads.thread(question.thread_id)
        if thread is not None and not thread.archived:
            await self.threads.archive(thread, solved=False)

    # -- privacy -----------------------------------------------------------------------

    async def _after_forget(self, user_id: int) -> None:
        for question in self.bot.services.qa.take_forgotten(user_id):
            await quietly(
                self.threads.reattribute(question), f"re-attribution of question {question.id}"
            )
