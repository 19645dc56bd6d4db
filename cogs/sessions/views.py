"""The card's persistent **Join** and **Leave** buttons.

``DynamicItem``s whose custom id carries the session id (``session:join:12``): they work
after a restart without any view kept in memory, and the state is read from the
database on every click. Failures go through the error pipeline (``guarded``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import discord

from cogs.components import NexusView, guarded
from cogs.errors import NexusCheckFailure
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
    cog: Any = interaction.client.get_cog(COG_NAME)
    if cog is None:  # pragma: no cover - the extension is always loaded with its buttons
        raise NexusCheckFailure("Study sessions are not available right now; try again soon.")
    handler: RsvpHandler = cog
    return handler


class JoinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:join:(?P<id>\d+)"
):
    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=strings.JOIN_LABEL,
                style=discord.ButtonStyle.success,
                custom_id=f"session:join:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> JoinButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[NexusBot]) -> None:  # type: ignore[override]
        async def action() -> None:
            await _handler(interaction).rsvp(interaction, self.session_id, join=True)

        await guarded(interaction, action, f"session:join:{self.session_id}")


class LeaveButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"session:leave:(?P<id>\d+)"
):
    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=strings.LEAVE_LABEL,
                style=discord.ButtonStyle.secondary,
                custom_id=f"session:leave:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> LeaveButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[NexusBot]) -> None:  # type: ignore[override]
        async def action() -> None:
            await _handler(interaction).rsvp(interaction, self.session_id, join=False)

        await guarded(interaction, action, f"session:leave:{self.session_id}")


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
