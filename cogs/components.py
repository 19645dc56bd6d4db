"""Base classes for views, modals and persistent buttons, wired to the error pipeline.

discord.py only logs an exception raised in a ``DynamicItem`` callback, leaving the user
with "This interaction failed"; every component here answers through
``handle_interaction_error`` instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from cogs.errors import handle_interaction_error

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])


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
