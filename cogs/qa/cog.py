"""``/ask``, the **Mark as solution** message menu, ``/qa …``, the opener's **Edit** and
the leaderboard's **Share**. The rules live in ``bot/services/qa/``; this adapter reads
interactions, renders, and drives the Discord side (``publish.py``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.qa import Question
from bot.delivery import mentions
from bot.errors import InvalidInput, NotFound
from bot.services.intents import QA_POST
from bot.services.qa.rules import (
    BODY_MAX,
    PERIODS,
    TITLE_MAX,
    TOPICS,
    Ask,
    Topic,
    parse_topics,
    validate_ask,
)
from bot.ui import embeds, limits
from cogs.checks import actor_of, guild_of, write_cooldown
from cogs.qa import render, strings
from cogs.qa.publish import NONE, QAThreads
from cogs.qa.views import AskModal, EditModal, SolveModal, draft_view, share_view

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class QACog(commands.Cog):
    qa = app_commands.Group(
        name="qa", description="Q&A threads: solve, search, lists and pings.", guild_only=True
    )

    def __init__(self, bot: NexusBot, threads: QAThreads) -> None:
        self.bot = bot
        self.threads = threads
        self.mark_menu = app_commands.ContextMenu(
            name="Mark as solution", callback=self.mark_solution
        )
        self.mark_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.mark_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.mark_menu.name, type=self.mark_menu.type)

    # -- asking ------------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the community a question in its own thread.")
    @app_commands.guild_only()
    @app_commands.describe(
        topic="What it is about (it becomes the post's tag)",
        title="One line: what goes wrong (at most 100 characters); leave out to use a form",
        question="What you tried, the error, the code (at most 1,800 characters); or use a form",
    )
    @write_cooldown(rate=3, per=60)
    async def ask(
        self,
        interaction: discord.Interaction[NexusBot],
        topic: Topic,
        title: str | None = None,
        question: str | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await self.bot.services.guilds.require(guild.id, "qa_forum")
        if title and question:
            await self.submit_question(interaction, topic, title, question)
            return
        # A modal must be the first response: nothing is deferred before it.
        limits.require_text("title", title, TITLE_MAX, required=False)
        limits.require_text("question", question, BODY_MAX, required=False)
        await interaction.response.send_modal(AskModal(topic, title, question))

    async def submit_question(
        self, interaction: discord.Interaction[NexusBot], topic: str, title: str, body: str
    ) -> None:
        guild = guild_of(interaction)
        prepared = await self.bot.services.qa.prepare(
            guild.id, interaction.user.id, topic, title, body
        )
        if prepared.draft is not None:
            await interaction.response.send_message(
                embed=render.similar(prepared.similar),
                view=draft_view(prepared.draft.id),
                ephemeral=True,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        question = await self._post(interaction, prepared.ask)
        await interaction.followup.send(embed=render.posted(question), ephemeral=True)

    async def _post(self, interaction: discord.Interaction[NexusBot], ask: Ask) -> Question:
        guild = guild_of(interaction)
        services = self.bot.services
        channel_id = await services.guilds.require(guild.id, "qa_forum")
        intent = await services.intents.record(
            QA_POST,
            guild_id=guild.id,
            channel_id=channel_id,
            user_id=interaction.user.id,
            name=ask.title,
            payload={"topic": ask.topic, "title": ask.title, "body": ask.body},
        )
        return await self.threads.publish(intent)

    async def post_draft(self, interaction: discord.Interaction[NexusBot], draft_id: int) -> None:
        qa = self.bot.services.qa
        draft = await qa.take_draft(draft_id, interaction.user.id)
        ask = validate_ask(draft.topic, draft.title, draft.body)  # limits may have changed
        await interaction.response.defer()  # the suggestions stay until it is posted
        try:
            question = await self._post(interaction, ask)
        except Exception:
            await qa.restore_draft(draft)  # the buttons work again for another try
            raise
        await interaction.edit_original_response(embed=render.posted(question), view=None)

    async def cancel_draft(self, interaction: discord.Interaction[NexusBot], draft_id: int) -> None:
        await self.bot.services.qa.take_draft(draft_id, interaction.user.id)
        await interaction.response.edit_message(embed=embeds.muted(strings.NOT_POSTED), view=None)

    # -- solving -----------------------------------------------------------------------

    async def mark_solution(
        self, interaction: discord.Interaction[NexusBot], message: discord.Message
    ) -> None:
        question = await self.bot.services.qa.check_can_solve(
            message.channel.id, actor_of(interaction)
        )
        if message.id in (question.opener_id, question.thread_id):
            raise InvalidInput(strings.PICK_A_REPLY)
        if message.author.bot:
            raise InvalidInput(strings.PICK_A_MEMBER)
        await interaction.response.send_modal(
            SolveModal(
                answerer_id=message.author.id,
                answer_message_id=message.id,
                default=message.content,
            )
        )

    @qa.command(name="solved", description="Mark this question solved, with a one-line summary.")
    @app_commands.describe(
        answered_by="Who gave the answer (credited on the leaderboard)",
        summary="The solution in one line (at most 200 characters); leave out to use a form",
    )
    @write_cooldown()
    async def solved(
        self,
        interaction: discord.Interaction[NexusBot],
        answered_by: discord.Member | None = None,
        summary: str | None = None,
    ) -> None:
        question = await self.bot.services.qa.check_can_solve(
            interaction.channel_id, actor_of(interaction)
        )
        if answered_by is not None and answered_by.bot:
            raise InvalidInput(strings.PICK_A_MEMBER)
        answerer = answered_by.id if answered_by else None
        answer_message = None
        if answerer is not None:
            repliers = await self.threads.repliers(question.thread_id, asker_id=None)
            answer_message = next((r.message_id for r in repliers if r.user_id == answerer), None)
        if not summary:
            await interaction.response.send_modal(
                SolveModal(answerer_id=answerer, answer_message_id=answer_message)
            )
            return
        await self.finish_solve(
            interaction, summary=summary, answerer_id=answerer, answer_message_id=answer_message
        )

    async def finish_solve(
        self,
        interaction: discord.Interaction[NexusBot],
        *,
        summary: str,
        answerer_id: int | None,
        answer_message_id: int | None,
        thread_id: int | None = None,
    ) -> None:
        question = await self.bot.services.qa.solve(
            thread_id or interaction.channel_id,
            actor_of(interaction),
            summary=summary,
            answerer_id=answerer_id,
            answer_message_id=answer_message_id,
        )
        content, embed, pinged = render.solved(question)
        await interaction.response.send_message(
            content=content, embed=embed, allowed_mentions=mentions(pinged)
        )
        if question.answer_message_id is not None:
            await self.threads.mark_answer(question.thread_id, question.answer_message_id)
        thread = await self.threads.thread(question.thread_id)
        if thread is not None:
            await self.threads.archive(thread, solved=True)

    # -- editing -----------------------------------------------------------------------

    async def edit_question(self, interaction: discord.Interaction[NexusBot]) -> None:
        """**Edit** on an opener: the asker's question in a prefilled form."""
        opener = interaction.message.id if interaction.message else 0
        # An opener has its thread's id (a forum post's first message, or the message a
        # text channel's thread was started from).
        question = await self.bot.services.qa.posts.check_can_edit(opener, interaction.user.id)
        await interaction.response.send_modal(
            EditModal(question.thread_id, question.title, question.body)
        )

    async def finish_edit(
        self, interaction: discord.Interaction[NexusBot], thread_id: int, title: str, body: str
    ) -> None:
        question = await self.bot.services.qa.posts.edit(
            thread_id, interaction.user.id, title, body
        )
        await interaction.response.defer()  # the opener itself shows the change
        await self.threads.edit_opener(question)

    # -- closing and reopening ---------------------------------------------------------

    @qa.command(name="close", description="Close this question: duplicate, off-topic or stale.")
    @app_commands.describe(
        reason="Why it is closed",
        duplicate_of="For a duplicate: the original question's thread link or id",
    )
    @write_cooldown()
    async def close(
        self,
        interaction: discord.Interaction[NexusBot],
        reason: Literal["duplicate", "off-topic", "stale"],
        duplicate_of: str | None = None,
    ) -> None:
        question = await self.bot.services.qa.close(
            interaction.channel_id, actor_of(interaction), reason, duplicate_of
        )
        await interaction.response.send_message(
            embed=render.closed(question), allowed_mentions=NONE
        )
        thread = await self.threads.thread(question.thread_id)
        if thread is not None:
            await self.threads.archive(thread, solved=False)

    @qa.command(name="reopen", description="Reopen this solved or closed question.")
    @write_cooldown()
    async def reopen(self, interaction: discord.Interaction[NexusBot]) -> None:
        question = await self.bot.services.qa.reopen(interaction.channel_id, actor_of(interaction))
        await interaction.response.send_message(
            embed=render.reopened(interaction.user.id), allowed_mentions=NONE
        )
        thread = await self.threads.thread(question.thread_id)
        if thread is not None:
            await self.threads.reopen(thread, unarchive=True)

    # -- lists -------------------------------------------------------------------------

    @qa.command(name="search", description="Search the Q&A archive.")
    @app_commands.describe(
        query="Words from the problem or the error message",
        topic="Only this topic",
        status="Only open, solved or closed questions",
    )
    async def search(
        self,
        interaction: discord.Interaction[NexusBot],
        query: str,
        topic: Topic | None = None,
        status: Literal["open", "solved", "closed"] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        text = limits.require_text("query", query, 300)
        hits = await self.bot.services.qa.search.search(
            guild.id, text, topic=topic, status=status, limit=10
        )
        await interaction.response.send_message(
            embed=render.search_results(text, hits), ephemeral=True
        )

    @qa.command(name="unanswered", description="Open questions nobody has replied to yet.")
    @app_commands.describe(topic="Only this topic")
    async def unanswered(
        self, interaction: discord.Interaction[NexusBot], topic: Topic | None = None
    ) -> None:
        guild = guild_of(interaction)
        questions, total = await self.bot.services.qa.unanswered(guild.id, topic)
        embed = render.unanswered(questions, total, self.bot.services.clock.now())
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @qa.command(name="leaderboard", description="The helpers credited with the most solutions.")
    @app_commands.describe(period="Over the last week, month, or all time (default)")
    async def leaderboard(
        self,
        interaction: discord.Interaction[NexusBot],
        period: Literal["week", "month", "all"] = "all",
    ) -> None:
        guild = guild_of(interaction)
        rows = await self.bot.services.qa.leaderboard(guild.id, period)
        await interaction.response.send_message(
            embed=render.leaderboard(rows, period),
            view=share_view(list(PERIODS).index(period)),
            ephemeral=True,
        )

    async def share_leaderboard(self, interaction: discord.Interaction[NexusBot]) -> None:
        """**Share**: the same leaderboard, posted in the channel for everyone (its
        mentions ping nobody); the private copy loses its button."""
        shown = interaction.message.embeds if interaction.message else []
        if not shown:
            raise NotFound("This leaderboard is gone. Run `/qa leaderboard` again.")
        await interaction.response.edit_message(view=None)
        await interaction.followup.send(embeds=shown, allowed_mentions=NONE)

    @qa.command(
        name="subscribe",
        description="Helpers: the topics you want to be pinged for.",
        extras={"audience": "helper"},
    )
    @app_commands.describe(
        topics="Comma list, e.g. django, docker, rest-api; or all; or none to stop"
    )
    @write_cooldown()
    async def subscribe(self, interaction: discord.Interaction[NexusBot], topics: str) -> None:
        guild = guild_of(interaction)
        chosen = await self.bot.services.qa.subscribe(guild.id, actor_of(interaction), topics)
        if chosen:
            text = strings.SUBSCRIBED.format(topics=", ".join(f"`{t}`" for t in chosen))
        else:
            text = strings.UNSUBSCRIBED
        await interaction.response.send_message(
            embed=embeds.success(strings.SUBSCRIBED_TITLE, text), ephemeral=True
        )

    @subscribe.autocomplete("topics")
    async def subscribe_choices(
        self, interaction: discord.Interaction[NexusBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Complete the last item of the comma list with the topics not chosen yet."""
        *done, last = current.split(",") if current else [""]
        try:
            chosen = parse_topics(",".join(done)) if any(p.strip() for p in done) else []
        except InvalidInput:
            chosen = []
        prefix = ", ".join(chosen)
        needle = last.strip().casefold()
        options = [t for t in TOPICS if t not in chosen and t.startswith(needle)]
        choices = [f"{prefix}, {t}" if prefix else t for t in options]
        if not done:
            choices = [c for c in ("all", "none") if c.startswith(needle)] + choices
        return [
            app_commands.Choice(name=limits.shorten(c, limits.CHOICE_NAME), value=c[:100])
            for c in choices[: limits.AUTOCOMPLETE_CHOICES]
        ]
