"""Pytest plumbing: the ``emulator`` fixture and ``run_client``.

Register from the root conftest with ``pytest_plugins = ["tests.emulator.pytest_plugin"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from .emulator import DiscordEmulator
from .runner import run_client

__all__ = ["check_emulator_clean", "emulator", "run_client"]


def check_emulator_clean(emu: DiscordEmulator) -> None:
    """Fail the current test if the emulator saw unknown routes or had handler errors."""
    report = emu.problem_report()
    if report:
        pytest.fail(f"Discord emulator problems during this test:\n{report}", pytrace=False)


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    check_emulator_clean(emu)
