"""The bot process's heap and Python's cyclic garbage collector.

What a start builds (modules, discord.py's cache of the servers and their members,
the services' caches) lives as long as the process. Left in the collector's oldest
generation, every full collection walks all of it again: 40-60 ms with the event loop
stopped, paid by every interaction in flight, a few times a minute under load (measured
by bench/roundtrip.py). So once the start is over the bot collects once and moves what
survived out of the collector's way (``gc.freeze``); later collections walk only what
was made since. Objects frozen that die later are still freed by their reference
counts; only a reference cycle among them would stay, and those are start-up objects.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def settle() -> int:
    """Collect, then freeze what is left; how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


async def settle_after(*starts: Callable[[], Awaitable[object]]) -> None:
    """``settle`` once each step of the start has finished, one after the other (each
    is called only when the one before is over: a stop before then awaits nothing)."""
    for start in starts:
        await start()
    # Let what the start scheduled last run before its objects are judged.
    await asyncio.sleep(0)
    log.info("heap settled: %d objects left out of garbage collections", settle())
