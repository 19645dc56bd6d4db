from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.privacy.cog import PrivacyCog

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
