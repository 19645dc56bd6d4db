"""Announcement components: the writing and editing modals, and the preview's **Post**
and **Cancel** (``DynamicItem``s carrying the draft's id: they work after a restart)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.services.announcements.service import BODY_MAX, TITLE_MAX
from bot.ui import limits
from cogs.announcements import strings
from cogs.components import NexusModal, RowButton, loaded_cog

if TYPE_CHECKING:
    from bot.client import NexusBot
    from cogs.announcements.cog import AnnounceCog

COG_NAME = "AnnounceCog"


def announce_cog(interaction: discord.Interaction[NexusBot]) -> AnnounceCog:
    cog: AnnounceCog = loaded_cog(interaction, COG_NAME)
    return cog


class WriteModal(NexusModal):
    """Title and body; for a new announcement, or prefilled to edit one."""

    def __init__(
        self,
        *,
        heading: str,
        submit: Any,
        title: str | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(title=limits.shorten(heading, limits.MODAL_TITLE))
        self._submit = submit
        self.headline: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.TITLE_LABEL,
            custom_id="announce:title",
            placeholder=strings.TITLE_HINT,
            max_length=TITLE_MAX,
            default=title,
        )
        self.body: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=strings.BODY_LABEL,
            custom_id="announce:body",
            placeholder=strings.BODY_HINT,
            style=discord.TextStyle.paragraph,
            max_length=BODY_MAX,
            default=body,
        )
        self.add_item(self.headline)
        self.add_item(self.body)

    async def on_submit(self, interaction: discord.Interaction[NexusBot]) -> None:  # type: ignore[override]
        await self._submit(interaction, self.headline.value, self.body.value)


class PostButton(
    RowButton, prefix="announce:post", label=strings.POST, style=discord.ButtonStyle.success
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await announce_cog(interaction).confirm(interaction, self.row_id)


class DiscardButton(RowButton, prefix="announce:discard", label=strings.CANCEL):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await announce_cog(interaction).discard(interaction, self.row_id)


DYNAMIC_ITEMS = (PostButton, DiscardButton)


def preview_view(draft_id: int, *, scheduled: bool, refused: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    post = PostButton(draft_id)
    post.item.label = strings.SCHEDULE if scheduled else strings.POST
    post.item.disabled = refused
    view.add_item(post)
    view.add_item(DiscardButton(draft_id))
    return view
