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


def check_tables(out: str, figures: int, cpu_figures: int) -> list[str]:
    """Every row at concurrency 1 and 5 with ``figures`` numbers after its label, none
    failed, and in the CPU table with ``cpu_figures`` (a quick run's rounds are too short
    for the process clock's ticks: some are 0, a ratio "-"); returns the memory table's
    lines."""
    bots = (cpu_figures + 1) // 3  # c, a column per bot, a ratio per Nexus, a Discord per bot
    bots_cpu = discords_cpu = 0.0
    timing, _, rest = out.partition("== CPU per call")
    cpu, _, memory = rest.partition("== resident memory")
    for row in ROWS:
        lines = [line for line in timing.splitlines() if line.startswith(row + " ")]
        assert len(lines) == 2, (row, out)  # concurrency 1 and 5
        for line in lines:
            assert "failed" not in line, line
            assert len(line[len(row) :].split()) == figures, line
        lines = [line for line in cpu.splitlines() if line.startswith(row + " ")]
        assert len(lines) == 2, (row, out)
        for line in lines:
            fields = line[len(row) :].split()
            assert len(fields) == cpu_figures, line
            bots_cpu += sum(float(x) for x in fields[1 : 1 + bots])
            discords_cpu += sum(float(x) for x in fields[-bots:])
        assert any(line.startswith(row + " ") and "MB" in line for line in memory.splitlines())
    assert bots_cpu > 0 and discords_cpu > 0, cpu  # every clock was read
    return memory.splitlines()


@pytest.mark.slow
def test_the_quick_run_prints_every_row_with_ratios_and_memory() -> None:
    out = quick_run()
    assert "Nexus / bare" in out
    assert "Nexus PG" not in out
    check_tables(out, 10, 6)  # c, 3 + 3 figures, 3 ratios; c, 2 bots, 1 ratio, 2 Discords


@pytest.mark.slow
def test_the_quick_run_on_postgres_adds_its_columns_and_memory_lines(
    postgres_server: PostgresServer | None,
) -> None:
    if postgres_server is None:
        pytest.skip("PostgreSQL only (--backend postgresql)")
    out = quick_run("--postgres", postgres_server.url)
    assert "Nexus / bare" in out
    assert "Nexus PG / bare" in out
    # c, 3 + 3 figures, 3 ratios, 3 figures, 3 ratios; c, 3 bots, 2 ratios, 3 Discords
    memory = check_tables(out, 16, 9)
    assert sum(line.lstrip().startswith("nexus-pg ") for line in memory) == len(ROWS)
