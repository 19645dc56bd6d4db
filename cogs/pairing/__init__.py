from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.pairing.cog import PairingCog
from cogs.pairing.events import PairingEvents
from cogs.pairing.publish import PairingPublisher
from cogs.pairing.views import DYNAMIC_ITEMS

if TYPE_CHECKING:
    from bot.client import NexusBot


async def setup(bot: NexusBot) -> None:
    publisher = PairingPublisher(bot)
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(PairingCog(bot, publisher))
    await bot.add_cog(PairingEvents(bot, publisher))


async def teardown(bot: NexusBot) -> None:
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
