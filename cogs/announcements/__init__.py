from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.announcements.cog import AnnounceCog
from cogs.announcements.events import AnnounceEvents
from cogs.announcements.publish import AnnouncementPublisher
from cogs.announcements.views import DYNAMIC_ITEMS

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    publisher = AnnouncementPublisher(bot)
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(AnnounceCog(bot, publisher))
    await bot.add_cog(AnnounceEvents(bot, publisher))


async def teardown(bot: NexusBot) -> None:
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
