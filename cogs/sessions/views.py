"""The card's persistent **Join** and **Leave** buttons, and ◀ / ▶ of ``/session list``.

``DynamicItem``s whose custom id carries what a click needs (``session:join:12``, the
list and offset of a page): they work after a restart without any view kept in memory,
and the state is read from the database on every click. Failures go through the error
pipeline (``guarded``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, Self

import discord

from cogs.components import RowButton, guarded, loaded_cog, unkept
from cogs.sessions import strings

if TYPE_CHECKING:
    from bot.client import NexusBot

COG_NAME = "SessionsCog"


class Handler(Protocol):
    async def rsvp(
        self, interaction: discord.Interaction[NexusBot], session_id: int, *, join: bool
    ) -> None: ...

    async def show_page(
        self, interaction: discord.Interaction[NexusBot], *, mine: bool, offset: int
    ) -> None: ...


def _handler(interaction: discord.Interaction[NexusBot]) -> Handler:
    handler: Handler = loaded_cog(interaction, COG_NAME)
    return handler


class JoinButton(
    RowButton,
    prefix="session:join",
    label=strings.JOIN_LABEL,
    style=discord.ButtonStyle.success,
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await _handler(interaction).rsvp(interaction, self.row_id, join=True)


class LeaveButton(RowButton, prefix="session:leave", label=strings.LEAVE_LABEL):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await _handler(interaction).rsvp(interaction, self.row_id, join=False)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"session:list:(?P<mine>[01]):(?P<offset>\d+)",
):
    """◀ or ▶ under a ``/session list`` page: its custom id names the list (everyone's or
    the clicker's own) and where the page it shows starts. The answer is ephemeral, so
    only whoever asked can click; nothing is kept between pages."""

    def __init__(self, *, mine: bool, offset: int, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"session:list:{int(mine)}:{offset}",
                disabled=disabled,
            )
        )
        self.mine, self.offset = mine, offset

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(mine=match["mine"] == "1", offset=int(match["offset"]), label=label or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(
            interaction,
            lambda: _handler(interaction).show_page(
                interaction, mine=self.mine, offset=self.offset
            ),
            self.item.custom_id or "session:list",
        )


def pager(*, mine: bool, offset: int, page: int, total: int) -> discord.ui.View:
    """◀ and ▶ for the page at ``offset`` (``page`` sessions a page, ``total`` in all).
    Their targets differ, so their custom ids do too, as Discord requires."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        PageButton(mine=mine, offset=max(0, offset - page), label="◀", disabled=offset == 0)
    )
    view.add_item(
        PageButton(mine=mine, offset=offset + page, label="▶", disabled=offset + page >= total)
    )
    return unkept(view)
