from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot.db import app_state, connections, sql
from bot.db import database as database_module
from bot.db.connections import Readers
from bot.db.database import Database, Tx
from bot.db.migrate import Migration, current_version, latest_version, load_migrations, migrate
from bot.errors import SchemaTooNew


@pytest.mark.sqlite_only("SQLite's PRAGMAs")
async def test_pragmas(db: Database) -> None:
    assert (await sql.fetch_value(db.reader, "PRAGMA journal_mode")).lower() == "wal"
    assert await sql.fetch_value(db.reader, "PRAGMA foreign_keys") == 1
    # The pool's readers wait for a lock; the loop thread's quick reader never does.
    assert isinstance(db.reader, Readers)
    pool_timeout = await db.reader.call(lambda c: c.execute("PRAGMA busy_timeout").fetchone()[0])
    assert pool_timeout == 5000
    assert await sql.fetch_value(db.reader, "PRAGMA busy_timeout") == 0


async def test_fresh_database_reaches_latest_version(db: Database) -> None:
    assert await current_version(db) == latest_version() >= 1


async def test_migrate_is_idempotent(db: Database) -> None:
    assert await migrate(db) == latest_version()


async def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    database = Database(tmp_path / "future.db")
    await database.connect()
    async with database.transaction() as tx:
        await tx.execute(f"PRAGMA user_version = {latest_version() + 1}")
    with pytest.raises(SchemaTooNew, match="newer than this version"):
        await migrate(database)
    await database.close()


def test_each_migration_is_atomic_and_sets_its_version() -> None:
    for migration in load_migrations():
        body = re.sub(r"--[^\n]*", "", migration.sql).strip()
        assert body.startswith("BEGIN;"), migration.name
        assert body.endswith("COMMIT;"), migration.name
        assert f"PRAGMA user_version = {migration.version};" in body, migration.name


async def test_failed_transaction_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO app_state (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await sql.fetch_value(db.reader, "SELECT COUNT(*) FROM app_state") == 0


async def test_transactions_do_not_interleave(db: Database) -> None:
    """One coroutine's failure never takes another's committed work with it, or vice versa."""
    started = asyncio.Event()

    async def failing() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO app_state (key, value) VALUES ('bad', '1')")
            started.set()
            await asyncio.sleep(0)
            raise RuntimeError("boom")

    async def succeeding() -> None:
        await started.wait()
        async with db.transaction() as tx:
            await sql.execute(tx, "INSERT INTO app_state (key, value) VALUES ('good', '1')")

    results = await asyncio.gather(failing(), succeeding(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    keys = [row["key"] for row in await sql.fetch_all(db.reader, "SELECT key FROM app_state")]
    assert keys == ["good"]


async def test_constraints_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await sql.execute(tx, "INSERT INTO app_state (key, value) VALUES ('k', NULL)")


@pytest.mark.sqlite_only("backup copies a SQLite file")
async def test_backup_is_a_consistent_copy(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as tx:
        await app_state.put(tx, "k", "v")
    target = tmp_path / "backups" / "copy.db"
    await db.backup(target)
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT value FROM app_state WHERE key='k'").fetchone() == ("v",)
        assert copy.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    finally:
        copy.close()


async def test_a_migration_failing_half_way_changes_nothing(tmp_path: Path) -> None:
    """Its first statements ran, then one failed: the schema and ``user_version`` are as
    before, and the next start applies it again once fixed."""
    db = Database(tmp_path / "half.db")
    await db.connect()
    try:
        migrations = load_migrations()
        await migrate(db)
        before = await current_version(db)
        broken = Migration(
            before + 1,
            f"{before + 1:04d}_broken.sql",
            "BEGIN;\n"
            "CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
            "INSERT INTO half_done (id) VALUES (1);\n"
            "INSERT INTO no_such_table (id) VALUES (1);\n"
            f"PRAGMA user_version = {before + 1};\n"
            "COMMIT;\n",
        )
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            await migrate(db, [*migrations, broken])
        assert await current_version(db) == before
        tables = await sql.fetch_all(
            db.reader, "SELECT name FROM sqlite_master WHERE name = 'half_done'"
        )
        assert tables == []
        fixed = Migration(
            before + 1,
            broken.name,
            "BEGIN;\nCREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
            f"PRAGMA user_version = {before + 1};\nCOMMIT;\n",
        )
        assert await migrate(db, [*migrations, fixed]) == before + 1
    finally:
        await db.close()


async def test_a_read_does_not_wait_for_an_open_transaction(db: Database) -> None:
    """The readers have their own connections: a read runs while a write transaction
    is open, and sees what was committed before it, not what is still uncommitted."""
    async with db.transaction() as tx:
        await app_state.put(tx, "k", "committed")
    async with db.transaction() as tx:
        await app_state.put(tx, "k", "pending")
        assert await app_state.get(tx, "k") == "pending"  # the transaction reads its own
        read = asyncio.create_task(app_state.get(db.reader, "k"))
        assert await asyncio.wait_for(read, 5) == "committed"
    assert await app_state.get(db.reader, "k") == "pending"


@pytest.mark.sqlite_only("a PostgreSQL statement is a round trip: it yields")
async def test_a_transaction_runs_without_yielding_to_the_loop(db: Database) -> None:
    """Its statements run at once: nothing else runs between BEGIN and COMMIT unless
    the body itself awaits something else."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        before = ticks
        async with db.transaction() as tx:
            for n in range(50):
                await app_state.put(tx, f"k{n}", "v")
        assert ticks == before
    finally:
        task.cancel()


async def test_the_readers_refuse_to_write(db: Database) -> None:
    refused = (sqlite3.OperationalError, asyncpg.ReadOnlySQLTransactionError)
    with pytest.raises(refused, match=r"readonly|read-only"):
        await sql.execute(db.reader, "INSERT INTO app_state (key, value) VALUES ('a', '1')")


async def test_a_transaction_handle_is_dead_after_its_transaction(db: Database) -> None:
    async with db.transaction() as tx:
        await app_state.put(tx, "k", "v")
    with pytest.raises(RuntimeError, match="transaction is over"):
        await app_state.put(tx, "k", "w")
    assert await app_state.get(db.reader, "k") == "v"


@pytest.mark.sqlite_only("SQLite's writer thread")
async def test_write_runs_a_body_whole_on_the_writer_thread(db: Database) -> None:
    async def body(tx: Tx) -> int:
        await sql.execute_many(
            tx,
            "INSERT INTO app_state (key, value) VALUES (?, ?)",
            [(f"k{n}", "v") for n in range(100)],
        )
        return int(await sql.fetch_value(tx, "SELECT COUNT(*) FROM app_state"))

    assert await db.write(body) == 100
    assert await sql.fetch_value(db.reader, "SELECT COUNT(*) FROM app_state") == 100

    async def failing(tx: Tx) -> None:
        await app_state.put(tx, "late", "v")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await db.write(failing)
    assert await app_state.get(db.reader, "late") is None

    async def suspending(tx: Tx) -> None:
        await app_state.put(tx, "late", "v")
        await asyncio.sleep(0)  # suspends (a bare yield), as any real wait would

    with pytest.raises(RuntimeError, match="awaited something other than its tx"):
        await db.write(suspending)
    assert await app_state.get(db.reader, "late") is None
    async with db.transaction() as tx:  # the writer is free again
        await app_state.put(tx, "after", "v")


@pytest.mark.sqlite_only("SQLite's BEGIN IMMEDIATE retries (PostgreSQL waits on its advisory lock)")
async def test_begin_waits_for_another_process_without_blocking_the_loop(
    db: Database,
) -> None:
    """Another process holding the write lock: BEGIN is retried with short sleeps, and
    the event loop keeps running meanwhile."""
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO app_state (key, value) VALUES ('other', '1')")

        async def release() -> None:
            await asyncio.sleep(0.2)
            other.execute("COMMIT")

        releasing = asyncio.create_task(release())
        async with db.transaction() as tx:
            assert releasing.done()  # the loop ran it while the transaction waited
            assert await app_state.get(tx, "other") == "1"
            await app_state.put(tx, "mine", "2")
    finally:
        other.close()
    assert await app_state.get(db.reader, "mine") == "2"


@pytest.mark.sqlite_only("SQLite's WAL")
async def test_the_wal_is_checkpointed_off_the_loop(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "CHECKPOINT_BYTES", 64 * 1024)
    main_file = Path(db.path)
    before = main_file.stat().st_size
    for n in range(20):
        async with db.transaction() as tx:
            await app_state.put(tx, f"k{n}", "x" * 8000)
    for _ in range(100):  # the checkpoint runs on the maintenance thread
        if main_file.stat().st_size > before + 100_000:
            break
        await asyncio.sleep(0.02)
    assert main_file.stat().st_size > before + 100_000


@pytest.mark.sqlite_only("SQLite's WAL")
async def test_after_a_checkpoint_small_writes_do_not_start_another(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once checkpointed, the WAL starts again from its beginning; SQLite keeps the file
    at its largest unless told to cut it back, and its size alone would then start a
    checkpoint (a connection opened, an fsync) after every commit."""
    monkeypatch.setattr(database_module, "CHECKPOINT_BYTES", 256 * 1024)
    monkeypatch.setattr(database_module, "WAL_KEPT_BYTES", 32 * 1024)
    await db.close()  # the limit is set when the writer opens
    await db.connect()
    runs: list[str] = []
    checkpoint = database_module._checkpoint

    def counted(path: str) -> None:
        runs.append(path)
        checkpoint(path)

    monkeypatch.setattr(database_module, "_checkpoint", counted)

    async def settled() -> None:
        for _ in range(200):
            if db._checkpoint is None:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the checkpoint never finished")

    for n in range(40):
        async with db.transaction() as tx:
            await app_state.put(tx, f"big{n}", "x" * 8000)
        await settled()
    assert runs, "320 KB of writes never started a checkpoint"
    before = len(runs)
    for n in range(10):
        async with db.transaction() as tx:
            await app_state.put(tx, f"small{n}", "y")
        await settled()
    assert len(runs) == before
    assert Path(db.path + "-wal").stat().st_size < 256 * 1024


# A statement SQLite needs a few hundred milliseconds for, whatever the data.
SLOW_READ = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
    " SELECT COUNT(*) FROM n"
)


class Ticker:
    """Counts the event loop's turns, and the longest gap between two."""

    def __init__(self) -> None:
        self.turns = 0
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0)
            now = loop.time()
            self.turns += 1
            self.longest = max(self.longest, now - last)
            last = now

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@pytest.mark.sqlite_only("SQLite's readers")
async def test_a_quick_read_runs_at_once_without_a_thread(db: Database) -> None:
    async with db.transaction() as tx:
        await app_state.put(tx, "k", "v")
    async with Ticker() as ticker:
        assert await app_state.get(db.reader, "k") == "v"
        assert ticker.turns == 0  # answered without yielding to the loop


@pytest.mark.sqlite_only("SQLite's readers")
async def test_a_slow_read_goes_to_a_thread_and_holds_the_loop_only_its_budget(
    db: Database,
) -> None:
    async with Ticker() as ticker:
        assert await sql.fetch_value(db.reader, SLOW_READ) == 3_000_000
        assert ticker.turns > 0  # the loop ran while the read did
        assert isinstance(db.reader, Readers)
        assert SLOW_READ not in db.reader._slow  # once may be a cold cache
        first_gap = ticker.longest
        ticker.longest = 0.0
        assert await sql.fetch_value(db.reader, SLOW_READ) == 3_000_000
    # Each run held the loop for its budget (and some scheduling slack) at most.
    assert first_gap < 0.1
    assert ticker.longest < 0.1
    # Two overruns: from now on the statement goes to a thread straight away (one
    # could have been a cold page cache).
    assert isinstance(db.reader, Readers)
    assert SLOW_READ in db.reader._slow


@pytest.mark.sqlite_only("SQLite's readers")
async def test_a_quick_read_that_overran_now_and_then_stays_quick(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold page cache or a garbage collection can push a quick read past its budget
    once in a while: that does not send the statement to the threads for good."""
    medium = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
        " SELECT COUNT(*) FROM n"
    )
    assert isinstance(db.reader, Readers)
    # 0: an overrun; a whole second: none, however loaded the machine running the test.
    for budget in (0.0, *[1.0] * 30, 0.0):
        monkeypatch.setattr(connections, "QUICK_READ_S", budget)
        assert await sql.fetch_value(db.reader, medium) == 3000
    assert medium not in db.reader._slow
    monkeypatch.setattr(connections, "QUICK_READ_S", 0.0)
    for _ in range(5):  # overrunning every time now
        assert await sql.fetch_value(db.reader, medium) == 3000
    assert medium in db.reader._slow


@pytest.mark.sqlite_only("SQLite's locks")
async def test_a_read_of_a_locked_database_waits_on_a_thread(tmp_path: Path) -> None:
    """Another process holding the database exclusively makes a quick read BUSY at
    once: the read then waits on the pool (its busy timeout), not on the loop."""
    path = str(tmp_path / "locked.db")
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE t (v TEXT)")
    setup.execute("INSERT INTO t VALUES ('before')")
    setup.close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE t SET v = 'after'")
    readers = Readers(path, 1)
    try:
        loop = asyncio.get_running_loop()

        def release() -> None:
            other.execute("COMMIT")
            other.close()

        loop.call_later(0.3, release)
        async with Ticker() as ticker:
            rows = await asyncio.wait_for(readers.execute_fetchall("SELECT v FROM t"), 5)
            assert ticker.turns > 10  # the loop kept running while the read waited
    finally:
        with contextlib.suppress(sqlite3.ProgrammingError):
            other.close()
        await asyncio.to_thread(readers.close)
    assert [row["v"] for row in rows] == ["after"]
