"""Q&A components: persistent buttons (``DynamicItem``: they work after a restart, state
re-read from the database) and the modals for asking and for the solution summary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.services.qa.rules import BODY_MAX, SUMMARY_MAX, TITLE_MAX
from bot.ui import limits, markup
from cogs.components import NexusModal, RowButton, loaded_cog, unkept
from cogs.qa import strings

if TYPE_CHECKING:
    from bot.client import NexusBot
    from cogs.qa.cog import QACog
    from cogs.qa.events import QAEvents

COG_NAME = "QACog"
EVENTS_NAME = "QAEvents"


def qa_cog(interaction: discord.Interaction[NexusBot]) -> QACog:
    cog: QACog = loaded_cog(interaction, COG_NAME)
    return cog


def qa_events(interaction: discord.Interaction[NexusBot]) -> QAEvents:
    """The cog of the timers, whose nudges carry the Solved / Still need help buttons."""
    cog: QAEvents = loaded_cog(interaction, EVENTS_NAME)
    return cog


# -- modals ---------------------------------------------------------------------------


class AskModal(NexusModal):
    """Title and details of a question, for ``/ask`` without them."""

    def __init__(self, topic: str, title: str | None, body: str | None) -> None:
        super().__init__(
            title=limits.shorten(f"Ask {markup.article(topic)} question", limits.MODAL_TITLE)
        )
        self.topic = topic
        self.question_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.MODAL_TITLE_LABEL,
            custom_id="qa:title",
            placeholder=strings.MODAL_TITLE_HINT,
            max_length=TITLE_MAX,
            default=title,
        )
        self.details: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.MODAL_BODY_LABEL,
            custom_id="qa:details",
            placeholder=strings.MODAL_BODY_HINT,
            style=discord.TextStyle.paragraph,
            max_length=BODY_MAX,
            default=body,
        )
        self.add_item(self.question_title)
        self.add_item(self.details)

    async def on_submit(self, interaction: discord.Interaction[NexusBot]) -> None:  # type: ignore[override]
        await qa_cog(interaction).submit_question(
            interaction, self.topic, self.question_title.value, self.details.value
        )


class EditModal(NexusModal):
    """The asker's question, prefilled, to correct: its title and its text."""

    def __init__(self, thread_id: int, title: str, body: str) -> None:
        super().__init__(title=strings.MODAL_EDIT_TITLE)
        self.thread_id = thread_id
        self.question_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.MODAL_TITLE_LABEL,
            custom_id="qa:title",
            placeholder=strings.MODAL_TITLE_HINT,
            max_length=TITLE_MAX,
            default=title,
        )
        self.details: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.MODAL_BODY_LABEL,
            custom_id="qa:details",
            placeholder=strings.MODAL_BODY_HINT,
            style=discord.TextStyle.paragraph,
            max_length=BODY_MAX,
            default=body,
        )
        self.add_item(self.question_title)
        self.add_item(self.details)

    async def on_submit(self, interaction: discord.Interaction[NexusBot]) -> None:  # type: ignore[override]
        await qa_cog(interaction).finish_edit(
            interaction, self.thread_id, self.question_title.value, self.details.value
        )


@dataclass(frozen=True)
class Replier:
    """Someone who wrote in a question's thread: who, and their latest message there."""

    user_id: int
    name: str
    message_id: int


class SolveModal(NexusModal):
    """The one-line solution kept with a solved question; with ``repliers``, first who
    helped (the latest replier chosen already, or nobody)."""

    def __init__(
        self,
        *,
        answerer_id: int | None,
        answer_message_id: int | None,
        default: str | None = None,
        thread_id: int | None = None,
        repliers: Sequence[Replier] = (),
    ) -> None:
        super().__init__(title=strings.MODAL_SOLVE_TITLE)
        self.answerer_id = answerer_id
        self.answer_message_id = answer_message_id
        self.thread_id = thread_id
        self.repliers = {replier.user_id: replier for replier in repliers}
        self.helper: discord.ui.Select[Any] | None = None
        if repliers:
            options = [
                discord.SelectOption(
                    label=limits.shorten(replier.name, limits.CHOICE_NAME),
                    value=str(replier.user_id),
                    default=index == 0,
                )
                for index, replier in enumerate(repliers[: limits.SELECT_OPTIONS - 1])
            ]
            options.append(discord.SelectOption(label=strings.HELPER_NOBODY, value="0"))
            self.helper = discord.ui.Select(custom_id="qa:helper", options=options)
            self.add_item(discord.ui.Label(text=strings.MODAL_HELPER_LABEL, component=self.helper))
        self.summary: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.MODAL_SUMMARY_LABEL,
            custom_id="qa:summary",
            placeholder=strings.MODAL_SUMMARY_HINT,
            max_length=SUMMARY_MAX,
            default=suggested_summary(default),
        )
        self.add_item(self.summary)

    async def on_submit(self, interaction: discord.Interaction[NexusBot]) -> None:  # type: ignore[override]
        answerer, message = self.answerer_id, self.answer_message_id
        if self.helper is not None:
            chosen = self.repliers.get(int(self.helper.values[0])) if self.helper.values else None
            answerer = chosen.user_id if chosen else None
            message = chosen.message_id if chosen else None
        await qa_cog(interaction).finish_solve(
            interaction,
            summary=self.summary.value,
            answerer_id=answerer,
            answer_message_id=message,
            thread_id=self.thread_id,
        )


def suggested_summary(text: str | None) -> str | None:
    """The answer's first line of prose, as a starting point for the summary."""
    if not text:
        return None
    text = re.sub(r"```.*?(```|$)", " ", text, flags=re.DOTALL)
    for line in text.splitlines():
        line = " ".join(line.split()).strip("> ")
        if line:
            return limits.shorten(line, SUMMARY_MAX)
    return None


# -- persistent buttons -------------------------------------------------------------


class PostDraftButton(
    RowButton,
    prefix="qa:draft:post",
    label=strings.POST_ANYWAY,
    style=discord.ButtonStyle.primary,
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await qa_cog(interaction).post_draft(interaction, self.row_id)


class CancelDraftButton(RowButton, prefix="qa:draft:cancel", label=strings.CANCEL):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await qa_cog(interaction).cancel_draft(interaction, self.row_id)


class NudgeSolvedButton(
    RowButton,
    prefix="qa:nudge:solved",
    label=strings.NUDGE_SOLVED,
    style=discord.ButtonStyle.success,
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await qa_events(interaction).nudge_solved(interaction, self.row_id)


class NudgeHelpButton(RowButton, prefix="qa:nudge:help", label=strings.NUDGE_HELP):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await qa_events(interaction).still_need_help(interaction, self.row_id)


class EditQuestionButton(RowButton, prefix="qa:edit", label=strings.EDIT):
    """On an /ask opener; its id names the asker, but who may edit is read from the
    database when it is pressed."""

    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await qa_cog(interaction).edit_question(interaction)


class ShareButton(
    RowButton,
    prefix="qa:board:share",
    label=strings.SHARE,
    style=discord.ButtonStyle.primary,
):
    """Under a private leaderboard: posts the same embed in the channel. Its id is the
    period's position in ``PERIODS``."""

    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await qa_cog(interaction).share_leaderboard(interaction)


DYNAMIC_ITEMS = (
    PostDraftButton,
    CancelDraftButton,
    NudgeSolvedButton,
    NudgeHelpButton,
    EditQuestionButton,
    ShareButton,
)


def draft_view(draft_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PostDraftButton(draft_id))
    view.add_item(CancelDraftButton(draft_id))
    return unkept(view)  # sent with an ephemeral answer


def nudge_view(question_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NudgeSolvedButton(question_id))
    view.add_item(NudgeHelpButton(question_id))
    return view


def opener_view(asker_id: int | None) -> discord.ui.View | None:
    """The opener's **Edit** button, for its asker (none once they used forget-me)."""
    if asker_id is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(EditQuestionButton(asker_id))
    return view


def share_view(period_index: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ShareButton(period_index))
    return unkept(view)  # sent with an ephemeral answer
