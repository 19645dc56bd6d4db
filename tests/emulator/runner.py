"""``run_client``: run a discord.py client against the emulator for the span of a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .emulator import DiscordEmulator


@contextlib.asynccontextmanager
async def run_client(
    emu: DiscordEmulator,
    client: discord.Client,
    token: str,
    *,
    set_globals: bool = False,
    timeout: float = 10.0,
) -> AsyncIterator[discord.Client]:
    """Run ``client.start(token)`` against the emulator until ready; close it cleanly on exit.

    The bot under test points ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` at the
    emulator from its own settings; pass ``set_globals=True`` to do it here for a bare client.
    Both globals are restored on exit either way.
    """
    old_base = Route.BASE
    old_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    if set_globals:
        Route.BASE = emu.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    task = asyncio.create_task(client.start(token), name="client-under-test")
    try:
        await _wait_ready(emu, client, task, timeout)
        yield client
    finally:
        try:
            await client.close()
            await _finish(task)
        finally:
            Route.BASE = old_base
            DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def _wait_ready(
    emu: DiscordEmulator,
    client: discord.Client,
    task: asyncio.Task[None],
    timeout: float,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not client.is_ready():
        if task.done():
            exc = task.exception()
            raise AssertionError(
                f"client task ended before it was ready: {exc!r}\n"
                f"emulator problems: {emu.problem_report()}"
            ) from exc
        if loop.time() > deadline:
            raise AssertionError(
                f"client not ready after {timeout}s (identified: {emu.gateway.ready.is_set()}); "
                f"emulator problems: {emu.problem_report()}"
            )
        await asyncio.sleep(0.01)


async def _finish(task: asyncio.Task[None]) -> None:
    try:
        await asyncio.wait_for(task, 5)
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()
    except Exception as exc:  # the client crashed while running; surface it
        raise AssertionError(f"client task failed: {exc!r}") from exc
