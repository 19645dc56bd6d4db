from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.nexus.cog import NexusCog

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(NexusCog(bot))
