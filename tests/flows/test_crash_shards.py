"""Two sharded processes, one database, exactly-once across SIGKILL: the bot runs as two
real processes (shards 0 and 1 of 2) against the emulator, which serves a guild on each
shard. 300 reminders of both guilds fall due over 20 seconds; shard 1's process is
killed with SIGKILL while they do, with a reminder posted but not yet recorded as
sent, and started again. Every reminder is delivered
exactly once, and by the process of its guild's shard: the emulator records each
request's User-Agent, in which a sharded Nexus names its shards.

The database is a parameter (``DATABASE_URLS``, space-separated, default one SQLite
file in the test's directory): the same test runs on any backend the bot supports."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.container import build_services
from bot.sharding import shard_of
from bot.time.clock import SystemClock
from tests.emulator import DiscordEmulator
from tests.emulator.models import Guild, User
from tests.flows.process_kit import Run, Store, spawn, wait_ready

REMINDERS = 300
WINDOW = 20  # seconds over which they fall due
LEARNERS = 10  # per guild: 15 pending reminders each, under the limit of 25
MESSAGES = re.compile(r"/channels/\d+/messages")


@pytest.fixture
def store(database_url: str) -> Store:
    """The test's database (``pytest --backend postgresql`` runs it on PostgreSQL)."""
    return Store(database_url)


async def seed(
    store: Store, guilds: dict[int, tuple[Guild, int, list[User]]], start: datetime
) -> dict[str, int]:
    """Each learner's first reminder (due at once: their DM channel opened, as in a
    running server), then the 300; returns each text's shard."""
    db = await store.open()
    services = build_services(db, SystemClock())

    async def not_here(timer: Timer) -> None:
        raise AssertionError("the test process never delivers")

    services.scheduler.register("reminder", TimerKind(handler=not_here))
    shard: dict[str, int] = {}
    for guild, channel_id, users in guilds.values():
        for user in users:
            await services.reminders.create(
                user_id=user.id,
                guild_id=guild.id,
                channel_id=channel_id,
                when="in 1 second",
                what="warm-up",
            )
    for i in range(REMINDERS):
        guild, channel_id, users = guilds[i % 2]
        at = start + timedelta(seconds=(i * WINDOW) // REMINDERS)
        text = f"shard-test #{i}"
        await services.reminders.create(
            user_id=users[(i // 2) % len(users)].id,
            guild_id=guild.id,
            channel_id=channel_id,
            when=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            what=text,
        )
        shard[text] = i % 2
    await db.close()
    return shard


def sent_by(emu: DiscordEmulator) -> dict[int, set[str]]:
    """Message id → the shards named in the User-Agent of every request that created it
    (or, with the same nonce, returned it)."""
    by: dict[int, set[str]] = {}
    for call in emu.calls:
        if call.method == "POST" and MESSAGES.fullmatch(call.path) and call.status == 200:
            found = re.search(r"shards ([\d,]+) of 2", call.user_agent)
            by.setdefault(int(call.response["id"]), set()).add(found[1] if found else "?")
    return by


@pytest.mark.slow
@pytest.mark.shard_count(2)
async def test_two_shards_deliver_each_reminder_once_by_its_own_process(
    emulator: DiscordEmulator, tmp_path: Path, store: Store
) -> None:
    rng = random.Random(os.environ.get("CRASH_SEED", "nexus"))
    guilds: dict[int, tuple[Guild, int, list[User]]] = {}
    for shard in (0, 1):
        guild = emulator.add_guild(f"shard-{shard}", shard_id=shard)
        assert shard_of(guild.id, 2) == shard
        users = [emulator.add_user(f"learner-{shard}-{n}") for n in range(LEARNERS)]
        for user in users:
            emulator.add_member(guild.id, user)
        guilds[shard] = (guild, emulator.add_text_channel(guild.id, "general").id, users)
    loop = asyncio.get_running_loop()
    wall_offset = datetime.now(UTC).timestamp() - loop.time()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
    shard_of_text = await seed(store, guilds, start)
    t0 = start.timestamp() - wall_offset

    logs = {shard: tmp_path / f"bot-{shard}.log" for shard in (0, 1)}

    def settings(shard: int) -> dict[str, str]:
        return {
            **store.env,
            "SHARD_COUNT": "2",
            "SHARD_IDS": str(shard),
            "HEARTBEAT_PATH": str(tmp_path / f"heartbeat-{shard}"),
        }

    processes: dict[int, asyncio.subprocess.Process] = {}
    runs: dict[int, list[Run]] = {0: [], 1: []}
    for shard in (0, 1):
        processes[shard], run = await spawn(emulator, None, logs[shard], settings(shard))
        runs[shard].append(run)
    for shard in (0, 1):
        await wait_ready(logs[shard], 0, runs[shard][0], timeout=30)
    await emulator.wait_for_shards(0, 1, timeout=20)

    try:
        # Shard 1's process dies while its guild's reminders fall due, at the worst
        # instant: a reminder's message is posted but Discord's answer has not come
        # back, so its row is still "sending". Then it comes back.
        await asyncio.sleep(max(0.0, t0 + rng.uniform(4, WINDOW - 8) - loop.time()))
        dms = "|".join(str(emulator.dm_channel_for(user).id) for user in guilds[1][2])
        held = emulator.hold("POST", rf"/channels/({dms})/messages")
        await asyncio.wait_for(held.arrived.wait(), 5)
        processes[1].send_signal(signal.SIGKILL)
        await processes[1].wait()
        held.released.set()
        runs[1][-1].killed = loop.time()
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        processes[1], run = await spawn(emulator, None, logs[1], settings(1))
        runs[1].append(run)
        await wait_ready(logs[1], 1, run, timeout=30)

        delivered: list[tuple[str, int]] = []
        deadline = t0 + WINDOW + 20
        while loop.time() < deadline:
            delivered = [
                (m.content.removeprefix("⏰ **Reminder:** ").split("\n")[0], m.id)
                for _, _, users in guilds.values()
                for user in users
                for m in emulator.dm_messages(user.id)
                if "shard-test" in m.content
            ]
            if len(delivered) >= REMINDERS and loop.time() > t0 + WINDOW + 2:
                break
            await asyncio.sleep(0.2)
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            await asyncio.wait_for(process.wait(), 15)

    counts = Counter(text for text, _ in delivered)
    assert set(counts) == set(shard_of_text), (
        f"missing: {sorted(set(shard_of_text) - set(counts))[:10]}"
    )
    assert [t for t, n in counts.items() if n > 1] == []
    senders = sent_by(emulator)
    wrong = [
        (text, senders.get(message_id))
        for text, message_id in delivered
        if senders.get(message_id) != {str(shard_of_text[text])}
    ]
    assert wrong == [], f"sent by another shard's process: {wrong[:10]}"
    # The kill happened with work of shard 1 still to do, and shard 0 never stopped.
    killed = runs[1][0].killed
    assert killed is not None
    assert any(t0 + (i * WINDOW) // REMINDERS > killed for i in range(1, REMINDERS, 2))
    assert len(runs[0]) == 1 and processes[0].returncode == 0
    # The restarted process retried what the kill interrupted (its own rows only).
    restarted = logs[1].read_text().split("running shards 1 of 2")[-1]
    assert re.search(r"retrying \d+ timers interrupted mid-send", restarted), restarted[:2000]
    assert "interrupted" not in logs[0].read_text()
