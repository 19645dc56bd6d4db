"""Base classes for views, modals and persistent buttons, wired to the error pipeline.

discord.py only logs an exception raised in a ``DynamicItem`` callback, leaving the user
with "This interaction failed"; every component here answers through
``handle_interaction_error`` instead.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Self

import discord

from cogs.errors import NexusCheckFailure, handle_interaction_error


class NexusView(discord.ui.View):
    """A short-lived view (confirmations, previews) that only its owner may use."""

    def __init__(self, owner_id: int, *, timeout: float | None = 180) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: discord.InteractionMessage | discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons belong to someone else.", ephemeral=True
            )
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await handle_interaction_error(interaction, error, where=f"view {type(self).__name__}")

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        for child in self.children:
            if isinstance(child, discord.ui.Button | discord.ui.Select):
                child.disabled = True
        with contextlib.suppress(discord.HTTPException):
            await self.message.edit(view=self)


def unkept(view: discord.ui.View) -> discord.ui.View:
    """``view`` (``DynamicItem``s and links only) marked finished before it is sent, so
    discord.py keeps nothing of it: sent with an ephemeral answer, it would otherwise
    hold the view for 15 minutes (about 1 KB a call). Clicks still reach the items by
    their custom ids' templates, registered at setup."""
    view.stop()
    return view


class NexusModal(discord.ui.Modal):
    # discord.py's Modal narrows BaseView.on_error to (interaction, error).
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await handle_interaction_error(interaction, error, where=f"modal {type(self).__name__}")


async def guarded(
    interaction: discord.Interaction[Any], action: Callable[[], Awaitable[None]], where: str
) -> None:
    """Run a persistent component's action; failures go through the error pipeline."""
    try:
        await action()
    except Exception as error:
        await handle_interaction_error(interaction, error, where=where)


class ConfirmView(NexusView):
    """Confirm / Cancel for a destructive action; ``result`` is True, False or None."""

    def __init__(self, owner_id: int, *, confirm_label: str = "Confirm") -> None:
        super().__init__(owner_id, timeout=120)
        self.result: bool | None = None
        self.confirm.label = confirm_label
        self.interaction: discord.Interaction[Any] | None = None

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        self.result = True
        self.interaction = interaction
        self.stop()

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        self.result = False
        self.interaction = interaction
        self.stop()


class RowButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A persistent button that carries one row id in its custom id (``prefix:42``).

    Subclasses name the prefix, label and style, and implement ``act``: the button works
    after a restart with nothing kept in memory, and failures go through the error
    pipeline. The base itself is never registered (its template matches nothing)::

        class JoinButton(RowButton, prefix="session:join", label="Join"):
            async def act(self, interaction): ...
    """

    prefix: ClassVar[str]
    label: ClassVar[str]
    style: ClassVar[discord.ButtonStyle]

    def __init_subclass__(
        cls,
        *,
        prefix: str,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init_subclass__(template=rf"{re.escape(prefix)}:(?P<id>\d+)")
        cls.prefix, cls.label, cls.style = prefix, label, style

    def __init__(self, row_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.label, style=self.style, custom_id=f"{self.prefix}:{row_id}"
            )
        )
        self.row_id = row_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, lambda: self.act(interaction), f"{self.prefix}:{self.row_id}")

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


def loaded_cog(interaction: discord.Interaction[Any], name: str) -> Any:
    """The cog a persistent component belongs to (components outlive no cog, but a
    click can arrive while an extension reloads)."""
    cog = interaction.client.get_cog(name)
    if cog is None:
        raise NexusCheckFailure("This feature is restarting; try again in a moment.")
    return cog
