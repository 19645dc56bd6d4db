from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.remind.cog import RemindCog
from cogs.remind.events import RemindEvents
from cogs.remind.views import DYNAMIC_ITEMS

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(RemindCog(bot))
    await bot.add_cog(RemindEvents(bot))


async def teardown(bot: NexusBot) -> None:
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
