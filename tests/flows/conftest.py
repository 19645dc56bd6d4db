from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.emulator import DiscordEmulator
from tests.emulator.pytest_plugin import (
    check_emulator_clean,
    check_injected_failures_used,
    check_no_unexpected_client_errors,
    declare_marked_expectations,
)
from tests.flows.harness import Nexus, build_world, fake_now, running_bot


@pytest_asyncio.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[DiscordEmulator]:
    """The local Discord, strict: besides unknown routes, any 4xx the bot received fails
    the test unless the test injected it or declared it (``expect_http_error``)."""
    marker = request.node.get_closest_marker("shard_count")
    emu = DiscordEmulator(shard_count=marker.args[0] if marker else 1)
    declare_marked_expectations(emu, request.node)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    check_emulator_clean(emu)
    check_injected_failures_used(emu)
    check_no_unexpected_client_errors(emu)


@pytest.fixture
async def bare(
    emulator: DiscordEmulator, tmp_path: Path, database_url: str
) -> AsyncIterator[Nexus]:
    """The bot running in a server nobody has set up yet."""
    nexus = Nexus(
        emu=emulator,
        world=build_world(emulator),
        clock=fake_now(),
        db_path=tmp_path / "nexus.db",
        database_url=database_url,
    )
    async with running_bot(nexus):
        yield nexus


@pytest.fixture
async def nexus(bare: Nexus) -> Nexus:
    """The bot running in a server an admin has set up."""
    await bare.setup_server()
    return bare
