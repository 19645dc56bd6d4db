"""Pairing's persistent buttons: **Request** on a suggestion, **Accept**/**Decline** on a
request (only its target may press them), and the check-in's **We met** / **Not yet** /
**Didn't work out**. ``DynamicItem``s carrying a row id: they work after a restart, and
the state is read from the database on every click."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from cogs.components import RowButton, loaded_cog, unkept
from cogs.pairing import strings

if TYPE_CHECKING:
    from bot.client import NexusBot
    from cogs.pairing.cog import PairingCog

COG_NAME = "PairingCog"


def pairing_cog(interaction: discord.Interaction[NexusBot]) -> PairingCog:
    cog: PairingCog = loaded_cog(interaction, COG_NAME)
    return cog


class RequestButton(
    RowButton, prefix="pair:ask", label=strings.REQUEST_BUTTON, style=discord.ButtonStyle.primary
):
    """On a ``/pair find`` suggestion; the row id is the suggested member's user id."""

    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await pairing_cog(interaction).send_request(interaction, self.row_id, None)


class AcceptButton(
    RowButton, prefix="pair:accept", label=strings.ACCEPT, style=discord.ButtonStyle.success
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await pairing_cog(interaction).answer(interaction, self.row_id, accept=True)


class DeclineButton(RowButton, prefix="pair:decline", label=strings.DECLINE):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await pairing_cog(interaction).answer(interaction, self.row_id, accept=False)


class MetButton(RowButton, prefix="pair:met", label=strings.MET, style=discord.ButtonStyle.success):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await pairing_cog(interaction).check_in(interaction, self.row_id, "met")


class NotYetButton(RowButton, prefix="pair:notyet", label=strings.NOT_YET):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await pairing_cog(interaction).check_in(interaction, self.row_id, "not_yet")


class DidntWorkButton(
    RowButton, prefix="pair:nowork", label=strings.DIDNT_WORK, style=discord.ButtonStyle.danger
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await pairing_cog(interaction).check_in(interaction, self.row_id, "didnt_work")


DYNAMIC_ITEMS = (
    RequestButton,
    AcceptButton,
    DeclineButton,
    MetButton,
    NotYetButton,
    DidntWorkButton,
)


def request_view(request_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AcceptButton(request_id))
    view.add_item(DeclineButton(request_id))
    return view


def checkin_view(pair_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(MetButton(pair_id))
    view.add_item(NotYetButton(pair_id))
    view.add_item(DidntWorkButton(pair_id))
    return view


def find_view(user_ids: list[int]) -> discord.ui.View:
    """One **Request #n** button per numbered suggestion."""
    view = discord.ui.View(timeout=None)
    for rank, user_id in enumerate(user_ids, start=1):
        button = RequestButton(user_id)
        button.item.label = strings.REQUEST_NUMBERED.format(rank=rank)
        view.add_item(button)
    return unkept(view)  # sent with an ephemeral answer
