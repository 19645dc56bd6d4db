from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.sessions.cog import SessionsCog
from cogs.sessions.events import EventMirror, SessionEvents
from cogs.sessions.publish import Publisher
from cogs.sessions.views import JoinButton, LeaveButton, PageButton

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    publisher = Publisher(bot)
    mirror = EventMirror(bot, publisher)
    bot.add_dynamic_items(JoinButton, LeaveButton, PageButton)
    await bot.add_cog(SessionsCog(bot, publisher, mirror))
    await bot.add_cog(SessionEvents(bot, publisher, mirror))


async def teardown(bot: NexusBot) -> None:
    bot.remove_dynamic_items(JoinButton, LeaveButton, PageButton)
