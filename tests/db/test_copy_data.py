"""``nexus-bot migrate-data``: a SQLite community copied into PostgreSQL, checked, and
refused where it must be (PostgreSQL only: ``--backend postgresql``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import EXIT_COPY_REFUSED, EXIT_DATABASE, EXIT_OK, main
from bot.db import sql
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.db.postgres import PostgresDatabase
from bot.services.container import build_services
from bot.services.qa.rules import Ask
from bot.time.clock import FakeClock

GUILD = 1


async def community(path: Path, clock: FakeClock) -> None:
    """A SQLite database with a full session and its line, and two questions."""
    db = Database(path)
    await db.connect()
    await migrate(db)
    services = build_services(db, clock)
    await services.guilds.save(GUILD, sessions_channel_id=10, qa_channel_id=11)
    session = await services.sessions.create(
        guild_id=GUILD, host_id=100, title="Django ORM clinic", when="2026-11-30 18:00", capacity=2
    )
    for user in (101, 102, 103):
        await services.sessions.join(session.id, GUILD, user)
    for thread, title in enumerate(("Docker volumes vanish", "Celery retries twice"), start=50):
        await services.qa.record_question(
            guild_id=GUILD,
            channel_id=11,
            thread_id=thread,
            opener_id=thread,
            asker_id=101,
            ask=Ask("docker", title, "What am I missing here?"),
        )
    await services.reminders.create(
        user_id=101, guild_id=GUILD, channel_id=10, when="in 1 hour", what="stretch"
    )
    await db.close()


async def test_a_community_moves_whole_and_a_second_copy_is_refused(
    tmp_path: Path,
    empty_postgres_url: str,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "nexus.db"
    await community(source, clock)
    args = ["migrate-data", "--from", f"sqlite:///{source}", "--to", empty_postgres_url]
    assert await _main(args) == EXIT_OK
    assert "row counts and a sample of rows match" in capsys.readouterr().out

    target = PostgresDatabase(empty_postgres_url)
    await target.connect()
    try:
        counts = await sql.fetch_one(
            target.reader, "SELECT going_count, waiting_count, version FROM sessions"
        )
        assert counts is not None and (counts[0], counts[1]) == (2, 1)  # not counted twice
        services = build_services(target, clock)
        hits = await services.qa.search.search(GUILD, "docker volumes")
        assert [hit.question.title for hit in hits] == ["Docker volumes vanish"]
        # The ids go on after the copied ones.
        again = await services.reminders.create(
            user_id=102, guild_id=GUILD, channel_id=10, when="in 2 hours", what="water"
        )
        assert again.id > 1
    finally:
        await target.close()

    assert await _main(args) == EXIT_COPY_REFUSED
    assert "is not empty" in capsys.readouterr().err


async def test_wrong_databases_are_refused_in_one_line(
    tmp_path: Path, empty_postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = ["migrate-data", "--from", f"sqlite:///{tmp_path}/no.db", "--to", empty_postgres_url]
    assert await _main(missing) == EXIT_DATABASE
    backwards = ["migrate-data", "--from", empty_postgres_url, "--to", "sqlite:///x.db"]
    assert await _main(backwards) == EXIT_COPY_REFUSED
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(line.startswith("nexus-bot: ") for line in lines)
    secret = empty_postgres_url.replace("@", ":s3cret@", 1)  # a user, now with a password
    assert await _main(["migrate-data", "--from", secret, "--to", secret]) == EXIT_COPY_REFUSED
    assert "s3cret" not in capsys.readouterr().err


async def _main(args: list[str]) -> int:
    """``main`` runs its own event loop: on a thread of its own here."""
    import asyncio

    return await asyncio.to_thread(main, args)
