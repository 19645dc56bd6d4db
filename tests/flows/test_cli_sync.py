"""``python -m bot sync`` as an operator runs it, against the emulator."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.emulator import DiscordEmulator

ROOT = Path(__file__).resolve().parents[2]


async def test_sync_command_syncs_and_exits(emulator: DiscordEmulator, tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_"))},
        "DISCORD_TOKEN": emulator.token,
        "DATABASE_PATH": str(tmp_path / "nexus.db"),
        "DISCORD_API_BASE": emulator.api_base,
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sync",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert emulator.sync_count == 1
    assert {"nexus", "remind", "session", "qa", "ask"} <= {c["name"] for c in emulator.commands()}
    assert emulator.gateway.identify_count == 0  # it never connected to the gateway
    # stderr is a pipe here: plain text, and no warnings about voice Nexus never uses.
    log = stderr.decode()
    assert "synced" in log
    assert "\x1b[" not in log
    assert "voice" not in log
