"""``bench/roundtrip.py --quick`` runs end to end and prints its tables.

A smoke test of the benchmark (both emulators, both bot processes, every row; with
``--backend postgresql``, also ``--postgres``: the third emulator and Nexus on
PostgreSQL): it asserts nothing about timings, which belong in docs/performance.md, not
in a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backends import PostgresServer

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


def quick_run(*extra: str) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DEV_GUILD_ID"}
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "roundtrip.py"), "--quick", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def check_tables(out: str, figures: int) -> list[str]:
    """Every row at concurrency 1 and 5 with ``figures`` numbers after its label, none
    failed; returns the memory table's lines."""
    timing, _, memory = out.partition("== resident memory")
    for row in ROWS:
        lines = [line for line in timing.splitlines() if line.startswith(row + " ")]
        assert len(lines) == 2, (row, out)  # concurrency 1 and 5
        for line in lines:
            assert "failed" not in line, line
            assert len(line[len(row) :].split()) == figures, line
        assert any(line.startswith(row + " ") and "MB" in line for line in memory.splitlines())
    return memory.splitlines()


@pytest.mark.slow
def test_the_quick_run_prints_every_row_with_ratios_and_memory() -> None:
    out = quick_run()
    assert "Nexus / bare" in out
    assert "Nexus PG" not in out
    check_tables(out, 10)  # c, 3 + 3 figures, 3 ratios


@pytest.mark.slow
def test_the_quick_run_on_postgres_adds_its_columns_and_memory_lines(
    postgres_server: PostgresServer | None,
) -> None:
    if postgres_server is None:
        pytest.skip("PostgreSQL only (--backend postgresql)")
    out = quick_run("--postgres", postgres_server.url)
    assert "Nexus / bare" in out
    assert "Nexus PG / bare" in out
    memory = check_tables(out, 16)  # c, 3 + 3 figures, 3 ratios, 3 figures, 3 ratios
    assert sum(line.lstrip().startswith("nexus-pg ") for line in memory) == len(ROWS)
