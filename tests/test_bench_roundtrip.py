"""``bench/roundtrip.py --quick`` runs end to end and prints its tables.

A smoke test of the benchmark (both emulators, both bot processes, every row): it
asserts nothing about timings, which belong in docs/performance.md, not in a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROWS = [
    "/timezone show",
    "/session list",
    "/session info (5,000 waiting)",
    "/qa search",
    "/remind me",
    "Join click (waitlist 10)",
    "Join click (waitlist 5,000)",
    "/pair find",
]


@pytest.mark.slow
def test_the_quick_run_prints_every_row_with_ratios_and_memory() -> None:
    env = {key: value for key, value in os.environ.items() if key != "DEV_GUILD_ID"}
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "roundtrip.py"), "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "Nexus / bare" in out
    timing, _, memory = out.partition("== resident memory")
    for row in ROWS:
        lines = [line for line in timing.splitlines() if line.startswith(row + " ")]
        assert len(lines) == 2, (row, out)  # concurrency 1 and 5
        for line in lines:
            assert "failed" not in line, line
            assert len(line[len(row) :].split()) == 10, line  # c, 3 + 3 figures, 3 ratios
        assert any(line.startswith(row + " ") and "MB" in line for line in memory.splitlines())
