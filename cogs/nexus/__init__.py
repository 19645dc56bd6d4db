from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.nexus.cog import NexusCog
from cogs.nexus.events import NexusEvents

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(NexusCog(bot))
    await bot.add_cog(NexusEvents(bot))
