"""The archive's in-memory search index: built from the database, kept in step by the
change log the database's triggers write (whoever writes), built again when it fell
further behind than the log keeps. Runs on either backend."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from bot.db import qa_search as repo
from bot.db import sql
from bot.db.database import Database
from bot.services.qa import index as index_module
from bot.services.qa import search as search_module
from bot.services.qa.search import QASearch
from tests.backends import database_for

GUILD, OTHER = 1, 2


async def add_questions(db: Database, titles: list[str], *, guild: int = GUILD) -> list[int]:
    async with db.transaction() as tx:
        ids = []
        for title in titles:
            ids.append(
                await sql.fetch_value(
                    tx,
                    "INSERT INTO qa_questions (guild_id, channel_id, thread_id, opener_id,"
                    " asker_id, topic, title, body, status, asked_at, last_activity_at)"
                    " VALUES (?, 1, ?, ?, 9, 'python', ?, 'some text', 'open', 0, 0)"
                    " RETURNING id",
                    (guild, hash(title) % 10**9, hash(title) % 10**9, title),
                )
            )
    return [int(i) for i in ids]


async def found(search: QASearch, text: str, guild: int = GUILD) -> list[str]:
    return [hit.question.title for hit in await search.search(guild, text)]


async def test_build_indexes_the_archive_and_reports_ready(db: Database) -> None:
    await add_questions(db, ["Zephyr deploy fails", "Quokka tests hang"])
    search = QASearch(db)
    assert not search.index.ready
    await search.index.build(db.reader)
    assert search.index.ready and search.index.size == 2
    assert await found(search, "quokka") == ["Quokka tests hang"]
    counts, total = search.index.statistics(["zephyr", "nothing"])
    assert counts == {"zephyr": 1, "nothing": 0} and total == 2


async def test_every_write_reaches_the_index_through_the_log(db: Database) -> None:
    search = QASearch(db)
    await search.index.build(db.reader)
    (qid,) = await add_questions(db, ["Zephyr deploy fails"])
    assert await found(search, "zephyr") == ["Zephyr deploy fails"]
    async with db.transaction() as tx:
        await sql.execute(tx, "UPDATE qa_questions SET title = 'Quokka' WHERE id = ?", (qid,))
    assert await found(search, "zephyr") == []
    assert await found(search, "quokka") == ["Quokka"]
    async with db.transaction() as tx:
        await sql.execute(
            tx, "UPDATE qa_questions SET status = 'solved', summary = 'wombat' WHERE id = ?", (qid,)
        )
    hits = await search.search(GUILD, "wombat", status="solved")
    assert [hit.question.id for hit in hits] == [qid]
    async with db.transaction() as tx:
        await sql.execute(tx, "DELETE FROM qa_questions WHERE id = ?", (qid,))
    assert await found(search, "quokka") == []
    assert search.index.size == 0


async def test_another_process_writes_reach_the_index(db: Database, database_url: str) -> None:
    """Another process (a second shard, a command-line tool) writing the same database:
    its questions are searchable here at the next search."""
    search = QASearch(db)
    await search.index.build(db.reader)
    other = database_for(database_url)
    await other.connect()
    try:
        await add_questions(other, ["Narwhal websocket drops"])
    finally:
        await other.close()
    assert await found(search, "narwhal") == ["Narwhal websocket drops"]


async def test_a_big_archive_ranks_off_the_loop(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small archive's search ranks on the loop's thread (a hop costs more than the
    ranking); past SEARCH_ON_LOOP_MAX questions it ranks on a thread, with the same
    answer."""
    await add_questions(db, ["Zephyr deploy fails", "Quokka tests hang"])
    search = QASearch(db)
    await search.index.build(db.reader)
    ranked_on: list[int] = []
    rank = search.index.search

    def recording(*args: object, **kwargs: Any) -> list[tuple[int, float]]:
        ranked_on.append(threading.get_ident())
        return rank(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search.index, "search", recording)
    assert await found(search, "zephyr") == ["Zephyr deploy fails"]
    monkeypatch.setattr(search_module, "SEARCH_ON_LOOP_MAX", 1)
    assert await found(search, "zephyr") == ["Zephyr deploy fails"]
    loop_thread = threading.get_ident()
    assert ranked_on[0] == loop_thread and ranked_on[1] != loop_thread


async def test_a_second_server_is_filtered_out(db: Database) -> None:
    """One server's index searches without a server filter; from the moment it holds a
    second server's questions, every search filters, and stops once they are gone."""
    await add_questions(db, ["Zephyr deploy fails"])
    search = QASearch(db)
    await search.index.build(db.reader)
    (theirs,) = await add_questions(db, ["Zephyr in production"], guild=OTHER)
    assert await found(search, "zephyr") == ["Zephyr deploy fails"]
    assert await found(search, "zephyr", OTHER) == ["Zephyr in production"]
    async with db.transaction() as tx:
        await sql.execute(tx, "DELETE FROM qa_questions WHERE id = ?", (theirs,))
    assert await found(search, "zephyr", OTHER) == []
    assert await found(search, "zephyr") == ["Zephyr deploy fails"]


async def test_an_index_behind_the_log_is_built_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More changes than the log keeps since the last search: the index cannot know
    what it missed, so it is built again, and searches use the database meanwhile."""
    monkeypatch.setattr(index_module, "LOG_KEPT", 3)
    search = QASearch(db)
    await search.index.build(db.reader)
    await add_questions(db, [f"Zephyr number {n}" for n in range(5)])
    assert not await search.index.catch_up(db.reader)
    assert not search.index.ready
    assert len(await found(search, "zephyr")) == 5  # from the database's index
    for _ in range(200):
        if search.index.ready:
            break
        await asyncio.sleep(0.01)
    assert search.index.ready and search.index.size == 5
    assert len(await found(search, "zephyr")) == 5


async def test_the_log_is_trimmed_but_keeps_its_latest_changes(db: Database) -> None:
    async with db.transaction() as tx:
        await sql.execute_many(
            tx,
            "INSERT INTO qa_questions (guild_id, channel_id, thread_id, opener_id, asker_id,"
            " topic, title, body, status, asked_at, last_activity_at)"
            " VALUES (1, 1, ?, ?, 9, 'python', 'question', 'text', 'open', 0, 0)",
            [(n, n) for n in range(12_001)],
        )
    kept = await sql.fetch_one(db.reader, "SELECT MIN(id), MAX(id), COUNT(*) FROM qa_changes")
    assert kept is not None
    low, high, count = (int(value) for value in kept)
    assert high - low + 1 == count  # nothing missing in what is kept
    assert index_module.LOG_KEPT <= 10_000 <= count < 11_000
    assert await repo.latest_change(db.reader) == high


async def test_stopping_the_bot_stops_a_build(db: Database) -> None:
    await add_questions(db, ["Zephyr deploy fails"])
    search = QASearch(db)
    search.start_index()
    await search.stop_index()
    await asyncio.sleep(0.05)
    assert not search.index.ready


async def test_the_index_is_built_in_the_background(db: Database) -> None:
    await add_questions(db, ["Zephyr deploy fails"])
    search = QASearch(db)
    search.start_index()
    for _ in range(200):
        if search.index.ready:
            break
        await asyncio.sleep(0.01)
    assert search.index.ready and search.index.size == 1
    await search.stop_index()


async def test_a_failed_build_leaves_searches_on_the_database(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await add_questions(db, ["Zephyr deploy fails"])
    search = QASearch(db)

    async def broken(conn: object, after: int, limit: int) -> list[object]:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(repo, "archive_page", broken)
    await search.index.build(db.reader)
    assert not search.index.ready
    assert "search index not built" in caplog.text
    assert await found(search, "zephyr") == ["Zephyr deploy fails"]


async def test_a_search_waiting_on_another_catch_up_still_sees_its_own_write(
    db: Database,
) -> None:
    """A catch-up in progress read the log before this write committed; the search that
    waited for it must read the log again, not take that catch-up's view as current."""
    search = QASearch(db)
    await search.index.build(db.reader)
    async with search.index._lock:  # a catch-up holds the index (its read is done)
        await add_questions(db, ["Zephyr deploy fails"])
        waiting = asyncio.create_task(found(search, "zephyr"))
        await asyncio.sleep(0)  # it runs up to the lock and waits there
    assert await waiting == ["Zephyr deploy fails"]
