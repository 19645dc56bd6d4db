from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.emulator import DiscordEmulator
from tests.flows.harness import Nexus, build_world, fake_now, running_bot


@pytest.fixture
async def bare(emulator: DiscordEmulator, tmp_path: Path) -> AsyncIterator[Nexus]:
    """The bot running in a server nobody has set up yet."""
    nexus = Nexus(
        emu=emulator, world=build_world(emulator), clock=fake_now(), db_path=tmp_path / "nexus.db"
    )
    async with running_bot(nexus):
        yield nexus


@pytest.fixture
async def nexus(bare: Nexus) -> Nexus:
    """The bot running in a server an admin has set up."""
    await bare.setup_server()
    return bare
