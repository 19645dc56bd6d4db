"""The heartbeat file the bot touches while connected, and the health check that reads it."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.heartbeat import MAX_AGE, Heartbeat, check


async def until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def test_beats_only_while_connected_and_removes_the_file_on_stop(tmp_path: Path) -> None:
    path = tmp_path / "data" / "heartbeat"
    beat = Heartbeat(path, interval=0.01)
    await beat.start()
    try:
        await asyncio.sleep(0.05)
        assert not path.exists()  # running, but never connected: nothing to vouch for

        beat.mark_connected()
        await until(path.exists, "the first beat")
        first = path.stat().st_mtime_ns
        await until(lambda: path.stat().st_mtime_ns > first, "a second beat")

        beat.mark_disconnected()
        await asyncio.sleep(0.05)  # a beat already on its way may still land
        last = path.stat().st_mtime_ns
        await asyncio.sleep(0.1)  # ten intervals
        assert path.stat().st_mtime_ns == last

        beat.mark_connected()
        await until(lambda: path.stat().st_mtime_ns > last, "a beat after reconnecting")
    finally:
        await beat.stop()
    assert not path.exists()
    assert not beat.running


async def test_start_forgets_the_file_of_an_earlier_run(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    path.touch()  # fresh, but written by a process that is gone
    beat = Heartbeat(path)
    await beat.start()
    try:
        assert not path.exists()
    finally:
        await beat.stop()


async def test_a_write_failure_is_logged_once_per_streak(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "data").write_text("a file where the directory should be")
    beat = Heartbeat(tmp_path / "data" / "heartbeat", interval=0.01)
    await beat.start()
    beat.mark_connected()
    try:
        await asyncio.sleep(0.1)
    finally:
        await beat.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "cannot write the heartbeat file" in warnings[0].getMessage()


def test_check_missing_stale_and_fresh(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    missing = check(path)
    assert not missing.ok
    assert "no heartbeat file" in missing.message

    path.touch()
    os.utime(path, (1_000_000.0, 1_000_000.0))
    assert check(path, now=1_000_000.0 + MAX_AGE).ok  # exactly the limit is still fine
    stale = check(path, now=1_000_000.0 + MAX_AGE + 1)
    assert not stale.ok
    assert "is 61 s old, more than 60 s" in stale.message
    assert check(path, max_age=120, now=1_000_000.0 + MAX_AGE + 1).ok
    assert check(path, now=1_000_000.0 + 3).message.startswith("healthy: last heartbeat 3 s ago")
