"""Timer benchmark: start-up rebuild time and memory, and due-time lateness.

    python bench/timers.py            # N = 10k and 100k, 1,000 timers in one second
    python bench/timers.py --sizes 10000 --same-second 1000

Each rebuild runs in a fresh process that has imported the whole bot (discord.py
included), so its memory is a real bot's. Shapes: "spread" books the N timers over the
next 30 days (a real server's shape); "all-soon" books them all within the next hour,
the worst case for the in-memory wake-ups; "overdue" has them all past due, as after a
long outage, and also measures draining them (no-op handler) with the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import sql
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.db.timers import Timer
from bot.scheduling import Scheduler, TimerKind
from bot.time.clock import SystemClock


def rss_mb() -> tuple[float, float]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def seed(path: Path, n: int, shape: str) -> None:
    db = Database(path)
    await db.connect()
    await migrate(db)
    now = int(time.time())
    span = 30 * 86400 if shape == "spread" else 3600
    first = now - 86400 - span if shape == "overdue" else now + 60
    rows = [("bench", i, first + (i * span) // n, now, now) for i in range(n)]
    async with db.transaction() as tx:
        await sql.execute_many(
            tx,
            "INSERT INTO timers (kind, subject_id, due_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    await db.close()


async def measure_rebuild(path: Path, drain: bool) -> dict[str, float]:
    import bot.client  # noqa: F401 - counts the whole bot's memory

    before_rss, _ = rss_mb()
    db = Database(path)
    await db.connect()
    scheduler = Scheduler(db, SystemClock())

    pending = await sql.fetch_value(
        db.reader, "SELECT COUNT(*) FROM timers WHERE state = 'pending'"
    )
    finished = asyncio.Event()
    if not pending:
        finished.set()
    handled = 0

    async def handler(timer: Timer) -> None:
        nonlocal handled
        handled += 1
        if handled == pending:
            finished.set()

    scheduler.register("bench", TimerKind(handler=handler))
    started = time.perf_counter()
    await scheduler.start()
    elapsed = time.perf_counter() - started
    rss, peak = rss_mb()
    drain_s = 0.0
    if drain:
        await asyncio.wait_for(finished.wait(), timeout=600)
        drain_s = time.perf_counter() - started
        rss, peak = rss_mb()
    await scheduler.stop()
    await db.close()
    return {
        "seconds": elapsed,
        "drain_s": drain_s,
        "rss_mb": rss,
        "peak_mb": peak,
        "baseline_mb": before_rss,
        "pending": pending,
    }


async def measure_lateness(count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "lateness.db")
        await db.connect()
        await migrate(db)
        clock = SystemClock()
        scheduler = Scheduler(db, clock)
        lateness_ms: list[float] = []
        done = asyncio.Event()

        async def handler(timer: Timer) -> None:
            lateness_ms.append((datetime.now(UTC) - timer.due).total_seconds() * 1000)
            if len(lateness_ms) == count:
                done.set()

        scheduler.register("bench", TimerKind(handler=handler))
        await scheduler.start()
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        async with db.transaction() as conn:
            for _ in range(count):
                await scheduler.schedule("bench", due, conn=conn)
        await asyncio.wait_for(done.wait(), timeout=60)
        await scheduler.stop()
        await db.close()
    return lateness_ms


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def child(path: str) -> None:
    result = asyncio.run(measure_rebuild(Path(path), drain=path.endswith("-overdue.db")))
    sys.stdout.write(json.dumps(result) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--same-second", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    print("== start-up rebuild (fresh process each run; median of runs)")
    print(
        f"{'N':>8} {'shape':>9} {'rebuild s':>10} {'drain s':>8} {'RSS MB':>8} "
        f"{'peak MB':>8} {'base MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for shape in ("spread", "all-soon", "overdue"):
                seeded = Path(tmp) / f"timers-{n}-{shape}.db"
                asyncio.run(seed(seeded, n, shape))
                runs = []
                for run in range(args.runs):
                    # A fresh copy per run: draining the overdue shape consumes it.
                    path = Path(tmp) / f"run{run}-{shape}.db"
                    shutil.copyfile(seeded, path)
                    out = subprocess.run(  # noqa: S603
                        [sys.executable, __file__, "--child", str(path)],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                seconds = statistics.median(r["seconds"] for r in runs)
                drain = statistics.median(r["drain_s"] for r in runs)
                rss = statistics.median(r["rss_mb"] for r in runs)
                peak = statistics.median(r["peak_mb"] for r in runs)
                base = statistics.median(r["baseline_mb"] for r in runs)
                drained = f"{drain:>8.2f}" if drain else f"{'-':>8}"
                print(
                    f"{n:>8} {shape:>9} {seconds:>10.3f} {drained} {rss:>8.1f} {peak:>8.1f} "
                    f"{base:>8.1f}"
                )

    print(f"\n== lateness: {args.same_second} timers due in the same second (real clock)")
    lateness = asyncio.run(measure_lateness(args.same_second))
    p50, p95, p99 = (percentile(lateness, q) for q in (50, 95, 99))
    print(
        f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  "
        f"max {max(lateness):.1f} ms  (n={len(lateness)})"
    )


if __name__ == "__main__":
    main()
