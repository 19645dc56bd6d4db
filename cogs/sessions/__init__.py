from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.sessions.cog import SessionsCog
from cogs.sessions.views import JoinButton, LeaveButton

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    bot.add_dynamic_items(JoinButton, LeaveButton)
    await bot.add_cog(SessionsCog(bot))
