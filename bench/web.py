"""Web benchmark: a solved question's page and ``/api/v1/questions`` over an archive of
100,000 questions, through the real web server (uvicorn, FastAPI, the services, SQLite).

    python bench/web.py                      # 100,000 questions, 2,000 requests each
    python bench/web.py --size 20000 --requests 500

The archive is bench/qa.py's (the fixture questions varied with a fixed seed, 70%
solved), every solved one credited to a helper, with names for the people and 1% of
the askers keeping their posts off the web, so every read applies the visibility rule.
The server runs in a child process of its own (one event loop, as in the bot, with the
rate limit out of the way); this process is the client, over loopback HTTP, one request
at a time, so each figure is one request's latency as a client sees it. The question
pages are random solved questions; the API reads are first pages, topic pages and pages
further down reached by their cursor. Then the same mix from 8 clients at once, for
the throughput. Figures: p50/p95/p99/max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx

from bot.db import sql
from bot.db.database import Database
from bot.services.qa.rules import TOPICS

GUILD = 1
HIDDEN_SHARE = 0.01
CLIENTS = 8

_qa_spec = importlib.util.spec_from_file_location("bench_qa", ROOT / "bench" / "qa.py")
assert _qa_spec is not None and _qa_spec.loader is not None
bench_qa = importlib.util.module_from_spec(_qa_spec)
_qa_spec.loader.exec_module(bench_qa)


async def build(path: Path, size: int, seed: int) -> float:
    started = time.perf_counter()
    await bench_qa.build(path, size, seed, optimize=True)
    db = Database(path)
    await db.connect()
    rng = random.Random(seed + 2)
    async with db.transaction() as tx:
        await sql.execute(
            tx,
            "UPDATE qa_questions SET resolved_at = asked_at + 3600, answerer_id = asker_id + 7,"
            " answer_message_id = thread_id + 1 WHERE status = 'solved'",
        )
        await sql.execute(
            tx,
            "INSERT INTO web_guilds (guild_id, enabled, name, updated_at)"
            " VALUES (?, 1, 'Bench', 0)",
            (GUILD,),
        )
        people = range(10_000, 15_010)
        await sql.execute_many(
            tx,
            "INSERT INTO web_names (guild_id, user_id, name, updated_at) VALUES (?, ?, ?, 0)",
            [(GUILD, user, f"member{user}") for user in people],
        )
        hidden = rng.sample(list(people), int(len(people) * HIDDEN_SHARE))
        await sql.execute_many(
            tx,
            "INSERT INTO web_hidden_users (user_id, hidden_at) VALUES (?, 0)",
            [(user,) for user in hidden],
        )
    async with db.transaction() as tx:
        await sql.execute(tx, "ANALYZE")
    await db.close()
    return time.perf_counter() - started


async def visible_solved(path: Path) -> list[int]:
    db = Database(path)
    await db.connect()
    rows = await sql.fetch_all(
        db.reader,
        "SELECT id FROM qa_questions q WHERE status = 'solved' AND NOT EXISTS"
        " (SELECT 1 FROM web_hidden_users h WHERE h.user_id = q.asker_id)",
    )
    await db.close()
    return [row[0] for row in rows]


# -- the server (a child process) -----------------------------------------------------


async def serve(path: Path, port: int) -> None:
    from bot.metrics import Metrics
    from bot.services.container import build_services
    from bot.web.app import create_app
    from bot.web.context import WebContext
    from bot.web.server import WebServer

    db = Database(path)
    await db.connect()
    services = build_services(db, web_url=f"http://127.0.0.1:{port}")
    context = WebContext(services, Metrics(), lambda: True, rate_limit=100_000_000)
    server = WebServer(create_app(context), host="127.0.0.1", port=port)
    await server.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await server.stop()
    await db.close()


def start_server(path: Path, port: int) -> subprocess.Popen[str]:
    child = subprocess.Popen(  # noqa: S603 - this interpreter, this file
        [sys.executable, __file__, "--serve", str(path), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line.strip() != "ready":
        child.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return child


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the client -----------------------------------------------------------------------


def api_paths(rng: random.Random, cursors: list[str], n: int) -> list[str]:
    base = f"/api/v1/servers/{GUILD}/questions"
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            out.append(f"{base}?limit=20")
        elif kind == 1:
            out.append(f"{base}?limit=20&topic={rng.choice(TOPICS)}")
        else:
            out.append(f"{base}?limit=20&cursor={rng.choice(cursors)}")
    return out


async def collect_cursors(client: httpx.AsyncClient, pages: int) -> list[str]:
    """Cursors of pages further down, as a client paging through would get them."""
    cursors: list[str] = []
    cursor = None
    for _ in range(pages):
        url = f"/api/v1/servers/{GUILD}/questions?limit=100"
        answer = (await client.get(url + (f"&cursor={cursor}" if cursor else ""))).json()
        cursor = answer["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    return cursors


async def timed(client: httpx.AsyncClient, paths: list[str]) -> list[float]:
    samples = []
    for path in paths:
        started = time.perf_counter()
        response = await client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.text[:200]}")
    return samples


async def concurrent(base: str, paths: list[str]) -> tuple[float, list[float]]:
    shares = [paths[i::CLIENTS] for i in range(CLIENTS)]
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(timed(client, share) for share in shares))
        elapsed = time.perf_counter() - started
    return len(paths) / elapsed, [s for part in results for s in part]


def show(label: str, samples: list[float]) -> None:
    stats = bench_qa.percentiles(samples)
    print(
        f"{label:<26} n={len(samples):<5} p50 {stats['p50']:6.2f} ms   "
        f"p95 {stats['p95']:6.2f} ms   p99 {stats['p99']:6.2f} ms   max {stats['max']:6.2f} ms"
    )


async def run(size: int, requests: int, seed: int) -> None:
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}, "
        f"Python {platform.python_version()}; load average before: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "web.db"
        took = await build(path, size, seed)
        ids = await visible_solved(path)
        print(
            f"archive: {size:,} questions ({len(ids):,} solved and visible), built in {took:.1f} s"
        )
        port = free_port()
        server = start_server(path, port)
        try:
            base = f"http://127.0.0.1:{port}"
            rng = random.Random(seed + 3)
            async with httpx.AsyncClient(base_url=base) as client:
                cursors = await collect_cursors(client, 50)
                pages = [f"/servers/{GUILD}/questions/{rng.choice(ids)}" for _ in range(requests)]
                api = api_paths(rng, cursors, requests)
                await timed(client, pages[:100] + api[:100])  # warm up
                show("question page", await timed(client, pages))
                show("/api/v1/questions", await timed(client, api))
            mix = pages + api
            rng.shuffle(mix)
            rate, samples = await concurrent(base, mix)
            show(f"both, {CLIENTS} clients at once", samples)
            print(f"throughput with {CLIENTS} clients: {rate:,.0f} requests/s")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.port))
        return
    asyncio.run(run(args.size, args.requests, args.seed))


if __name__ == "__main__":
    main()
