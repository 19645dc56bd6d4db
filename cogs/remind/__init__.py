from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.remind.cog import RemindCog
from cogs.remind.events import RemindEvents

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(RemindCog(bot))
    await bot.add_cog(RemindEvents(bot))
