"""The heartbeat file: touched while the gateway is connected, read by ``nexus-bot health``.

A container health check runs in another process and cannot ask the bot's event loop
anything; the age of a file the bot touches only while connected can be read by any
process. While the gateway is down (reconnecting, or stuck) the file is not touched
and ages; on a clean stop it is removed; at start a file left by an earlier run is
removed before the first beat, so it never vouches for a bot that is not connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import describe_path

log = logging.getLogger(__name__)

INTERVAL = 15.0
# health's default: four missed beats, so one slow write or a quick RESUME is not
# reported as a failure.
MAX_AGE = 60.0


class Heartbeat:
    def __init__(self, path: Path, *, interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Forget an earlier run's file, then beat whenever the gateway is connected."""
        await asyncio.to_thread(self._remove)
        if not self.running:
            self._task = asyncio.create_task(self._run(), name="heartbeat")

    @property
    def is_connected(self) -> bool:
        return self._connected.is_set()

    def mark_connected(self) -> None:
        self._connected.set()

    def mark_disconnected(self) -> None:
        self._connected.clear()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._connected.clear()
        await asyncio.to_thread(self._remove)

    async def _run(self) -> None:
        while True:
            await self._connected.wait()
            await asyncio.to_thread(self._beat)
            await asyncio.sleep(self.interval)

    def _beat(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError as exc:
            # Once per failure streak: a read-only volume would otherwise log every beat.
            if not self._failing:
                log.warning("cannot write the heartbeat file %s: %s", self.path, exc)
            self._failing = True
        else:
            self._failing = False

    def _remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str


def check(path: Path, *, max_age: float = MAX_AGE, now: float | None = None) -> Health:
    """Healthy when the heartbeat file was touched within ``max_age`` seconds."""
    where = describe_path(path)
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return Health(
            ok=False,
            message=f"no heartbeat file at HEARTBEAT_PATH {where}: the bot is not connected "
            "to Discord (or runs with another HEARTBEAT_PATH or DATABASE_PATH)",
        )
    except OSError as exc:
        return Health(
            ok=False, message=f"cannot read the heartbeat file {where}: {exc.strerror or exc}"
        )
    age = max(0.0, (time.time() if now is None else now) - touched)
    if age > max_age:
        return Health(
            ok=False,
            message=f"the last heartbeat is {age:.0f} s old, more than {max_age:g} s, at "
            f"{where}: the bot is not connected to Discord",
        )
    return Health(ok=True, message=f"healthy: last heartbeat {age:.0f} s ago, at {where}")
