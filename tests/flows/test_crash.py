"""Exactly-once reminders and scheduled announcements across SIGKILL: the bot runs as a
real process (``python -m bot``) against the emulator and is killed and restarted at
random instants while 300 reminders and 30 announcements fall due over 30 seconds.

The learners have had a DM from the bot before (a first reminder, due at once), as users
of a running server have: opening a DM channel is rate limited by Discord, and the bot
opens each one once and remembers it.

Timing bounds: a reminder that fell due while the bot ran, with its 2 s to spare before a
kill, arrives within 2 s of its due time; one due while the bot was down, starting, or in
the last 2 s before a kill arrives within 5 s of the restarted bot being up (its
scheduler started: how long a Python process takes to start depends on the machine's
load, and bench/timers.py measures the start itself)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.db.migrate import migrate
from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.access import Actor
from bot.services.container import build_services
from bot.time.clock import SystemClock
from tests.backends import database_for
from tests.emulator import DiscordEmulator
from tests.flows.harness import World, build_world
from tests.flows.process_kit import Run, spawn, wait_ready

REMINDERS = 300
ANNOUNCEMENTS = 30
WINDOW = 30  # seconds over which they fall due
KILLS = 3


async def seed(
    database_url: str, users: list[int], channel_id: int, start: datetime, world: World
) -> dict[str, float]:
    db = database_for(database_url)
    await db.connect()
    await migrate(db)
    services = build_services(db, SystemClock())

    async def not_here(timer: Timer) -> None:
        raise AssertionError("the test process never delivers")

    services.scheduler.register("reminder", TimerKind(handler=not_here))
    for uid in users:
        await services.reminders.create(
            user_id=uid, guild_id=None, channel_id=channel_id, when="in 1 second", what="hello"
        )
    due: dict[str, float] = {}
    for i in range(REMINDERS):
        at = start + timedelta(seconds=(i * WINDOW) // REMINDERS)
        text = f"crash-test #{i}"
        await services.reminders.create(
            user_id=users[i % len(users)],
            guild_id=None,
            channel_id=channel_id,
            when=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            what=text,
        )
        due[text] = at.timestamp()
    await services.guilds.save(
        world.guild.id,
        announcements_channel_id=world.announcements.id,
        mentor_role_id=world.mentor_role.id,
    )
    mentor = Actor(world.mentor.id, frozenset({world.mentor_role.id}))
    for i in range(ANNOUNCEMENTS):
        at = start + timedelta(seconds=1 + (i * (WINDOW - 2)) // ANNOUNCEMENTS)
        draft = await services.announcements.draft(
            world.guild.id,
            mentor,
            author_name="mentor",
            channel_id=world.announcements.id,
            title=f"crash-announce #{i}",
            body="Exactly once.",
            ping_role_id=None,
            when=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            repeat="none",
        )
        await services.announcements.confirm(draft.id, mentor)
    await db.close()
    return due


async def test_reminders_survive_sigkill_exactly_once(
    emulator: DiscordEmulator, tmp_path: Path, database_url: str
) -> None:
    rng = random.Random(os.environ.get("CRASH_SEED", "nexus"))
    world = build_world(emulator, learners=15)  # 25 pending each at most
    users = [u.id for u in world.learners]
    db_path, log = database_url, tmp_path / "bot.log"
    loop = asyncio.get_running_loop()
    wall_offset = datetime.now(UTC).timestamp() - loop.time()  # loop time → epoch

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    due = await seed(db_path, users, world.general.id, start, world)
    t0 = start.timestamp() - wall_offset

    runs: list[Run] = []
    process, run = await spawn(emulator, db_path, log)
    runs.append(run)
    await wait_ready(log, 0, run)

    kill_at = sorted(t0 + rng.uniform(1, WINDOW - 4) for _ in range(KILLS))
    for instant in kill_at:
        await asyncio.sleep(max(0.0, instant - loop.time()))
        process.send_signal(signal.SIGKILL)
        await process.wait()
        run.killed = loop.time()
        await asyncio.sleep(rng.uniform(0.2, 2.5))
        process, run = await spawn(emulator, db_path, log)
        runs.append(run)
        await wait_ready(log, len(runs) - 1, run)

    delivered: list[tuple[str, float]] = []
    deadline = t0 + WINDOW + 15
    while loop.time() < deadline:
        delivered = [
            (m.content.removeprefix("⏰ **Reminder:** ").split("\n")[0], m.created_at - wall_offset)
            for uid in users
            for m in emulator.dm_messages(uid)
            if "crash-test" in m.content
        ]
        if len(delivered) >= REMINDERS and loop.time() > t0 + WINDOW + 2:
            break
        await asyncio.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), 15)

    counts = Counter(text for text, _ in delivered)
    assert set(counts) == set(due), f"missing: {sorted(set(due) - set(counts))[:10]}"
    assert [t for t, n in counts.items() if n > 1] == []
    titles = Counter(
        m.embeds[0]["title"] for m in emulator.messages(world.announcements.id) if m.embeds
    )
    assert titles == Counter(f"crash-announce #{i}" for i in range(ANNOUNCEMENTS))

    late_while_up, late_after_restart = [], []
    for text, arrived in delivered:
        due_at = due[text] - wall_offset
        up = next((r for r in runs if r.ready and r.ready <= due_at < (r.killed or 1e18)), None)
        if up is not None and (up.killed is None or due_at + 2 <= up.killed):
            late_while_up.append(arrived - due_at)
        else:
            restart = next(r for r in runs if (r.ready or 0) > due_at)
            late_after_restart.append(arrived - max(due_at, restart.ready or restart.spawned))
    print(
        f"\n{REMINDERS} reminders, {KILLS} kills: {len(late_while_up)} due while up "
        f"(max {max(late_while_up, default=0):.2f} s late), {len(late_after_restart)} due while "
        f"down (max {max(late_after_restart, default=0):.2f} s after restart)"
    )
    assert max(late_while_up, default=0) < 2.0
    assert max(late_after_restart, default=0) < 5.0
