from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.qa.cog import QACog
from cogs.qa.events import QAEvents
from cogs.qa.publish import QAThreads
from cogs.qa.views import DYNAMIC_ITEMS

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    threads = QAThreads(bot)
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(QACog(bot, threads))
    await bot.add_cog(QAEvents(bot, threads))


async def teardown(bot: NexusBot) -> None:
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
