"""The delivered reminder's persistent buttons: **Snooze 10 min**, **Snooze 1 h** and
**Done**. ``RowButton``s carrying the reminder's row id: they work after a restart, the
state is read from the database on every click, and only the owner may press them."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from cogs.components import RowButton, loaded_cog
from cogs.remind import strings

if TYPE_CHECKING:
    from bot.client import NexusBot
    from cogs.remind.cog import RemindCog

COG_NAME = "RemindCog"


def remind_cog(interaction: discord.Interaction[NexusBot]) -> RemindCog:
    cog: RemindCog = loaded_cog(interaction, COG_NAME)
    return cog


class SnoozeShortButton(RowButton, prefix="remind:snooze10", label=strings.SNOOZE_SHORT):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await remind_cog(interaction).snooze(interaction, self.row_id, timedelta(minutes=10))


class SnoozeLongButton(RowButton, prefix="remind:snooze60", label=strings.SNOOZE_LONG):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await remind_cog(interaction).snooze(interaction, self.row_id, timedelta(hours=1))


class DoneButton(
    RowButton, prefix="remind:done", label=strings.DONE_BUTTON, style=discord.ButtonStyle.success
):
    async def act(self, interaction: discord.Interaction[NexusBot]) -> None:
        await remind_cog(interaction).done(interaction, self.row_id)


DYNAMIC_ITEMS = (SnoozeShortButton, SnoozeLongButton, DoneButton)


def delivered_view(reminder_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SnoozeShortButton(reminder_id))
    view.add_item(SnoozeLongButton(reminder_id))
    view.add_item(DoneButton(reminder_id))
    return view
