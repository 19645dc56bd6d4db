"""The card's persistent **Join** and **Leave** buttons.

``DynamicItem``s whose custom id carries the session id (``session:join:12``): they work
after a restart without any view kept in memory, and the state is read from the
database on every click. Failures go through the error pipeline (``guarded``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import discord

from cogs.components import NexusView, RowButton, loaded_cog
from cogs.sessions import strings

if TYPE_CHECKING:
    from bot.client import NexusBot

COG_NAME = "SessionsCog"
Turn = Callable[[discord.Interaction[Any], "ListPager", int], Awaitable[None]]


class RsvpHandler(Protocol):
    async def rsvp(
        self, interaction: discord.Interaction[NexusBot], session_id: int, *, join: bool
    ) -> None: ...


def _handler(interaction: discord.Interaction[NexusBot]) -> RsvpHandler:
    handler: RsvpHandler = loaded_cog(interaction, COG_NAME)
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


class ListPager(NexusView):
    """◀ / ▶ through ``/session list`` pages; short-lived, only for whoever asked."""

    def __init__(self, owner_id: int, turn: Turn, *, has_next: bool) -> None:
        super().__init__(owner_id, timeout=180)
        self._turn = turn
        self.previous.disabled = True
        self.next.disabled = not has_next

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, self, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, self, 1)
