"""What a session card reads (the head of the roster, with counts) and the versions that
tell which cards a stop left behind."""

from __future__ import annotations

from pathlib import Path

from bot.db import session_rsvps, sql
from bot.db.database import Database
from bot.db.migrate import load_migrations, migrate
from bot.services.access import Actor
from bot.services.container import Services
from tests.services.test_sessions import GUILD, HOST, create

PEOPLE = list(range(1000, 1012))


async def test_the_head_lists_the_first_of_each_line_and_counts_them_all(
    services: Services,
) -> None:
    sessions = services.sessions
    session = await create(services, capacity=5)
    for user_id in PEOPLE:
        await sessions.join(session.id, GUILD, user_id)
    head = await sessions.cards.head(session.id, names=3)
    assert (head.going, head.waitlist) == (PEOPLE[:3], PEOPLE[5:8])
    assert (head.going_count, head.waiting_count) == (5, 7)
    assert (head.more_going, head.more_waiting) == (2, 4)
    whole = await sessions.cards.head(session.id, names=100)
    assert whole == await sessions.roster(session.id)
    assert (whole.more_going, whole.more_waiting) == (0, 0)
    empty = await create(services, title="Nobody yet")
    assert await sessions.cards.head(empty.id, names=3) == await sessions.roster(empty.id)


async def test_every_change_a_card_shows_moves_its_version_and_start_finds_it_behind(
    services: Services,
) -> None:
    sessions, cards = services.sessions, services.sessions.cards
    session = await create(services, capacity=1)
    other = await create(services, title="Untouched")
    for s in (session, other):
        await sessions.attach_card(s.id, channel_id=5, message_id=s.id + 50, thread_id=None)
        state = await cards.state(s.id, names=10)
        assert state is not None
        await cards.shown(s.id, state.version)
    assert await cards.behind(GUILD) == []

    async def version() -> int:
        state = await cards.state(session.id, names=10)
        assert state is not None
        return state.version

    seen = [await version()]
    await sessions.join(session.id, GUILD, PEOPLE[0])  # a place
    seen.append(await version())
    await sessions.join(session.id, GUILD, PEOPLE[1])  # the waitlist
    seen.append(await version())
    await sessions.leave(session.id, GUILD, PEOPLE[0])  # and the waiter promoted
    seen.append(await version())
    await sessions.edit(session.id, GUILD, actor=Actor(HOST), title="Moved on")
    seen.append(await version())
    assert seen == sorted(set(seen)), seen  # each step moved it on
    assert await cards.behind(GUILD) == [session.id]

    # An edit that finishes after a later one never moves the shown version back.
    await cards.shown(session.id, seen[-1])
    await cards.shown(session.id, seen[0])
    assert await cards.behind(GUILD) == []


async def test_head_counts_follow_every_change_to_the_line(services: Services) -> None:
    sessions = services.sessions
    session = await create(services, capacity=2)

    async def agree() -> tuple[int, int]:
        head = await sessions.cards.head(session.id, names=0)
        whole = await sessions.roster(session.id)
        assert (head.going_count, head.waiting_count) == (len(whole.going), len(whole.waitlist))
        return head.going_count, head.waiting_count

    for user_id in PEOPLE[:5]:
        await sessions.join(session.id, GUILD, user_id)
    assert await agree() == (2, 3)
    await sessions.leave(session.id, GUILD, PEOPLE[0])  # a waiter promoted
    assert await agree() == (2, 2)
    await sessions.edit(session.id, GUILD, actor=Actor(HOST), capacity=3)  # another
    assert await agree() == (3, 1)
    await sessions.leave(session.id, GUILD, PEOPLE[4])  # a waiter leaves
    assert await agree() == (3, 0)
    await services.privacy.forget(PEOPLE[1])  # forget-me takes a place away
    assert await agree() == (2, 0)
    joined = await sessions.join(session.id, GUILD, PEOPLE[6])
    assert joined.status == "going" and joined.place_in_line is None
    joined = await sessions.join(session.id, GUILD, PEOPLE[7])
    assert (joined.status, joined.place_in_line) == ("waitlist", 1)
    assert await agree() == (3, 1)


async def test_the_migration_counts_the_lines_already_there(tmp_path: Path) -> None:
    db = Database(tmp_path / "older.db")
    await db.connect()
    try:
        everything = load_migrations()
        await migrate(db, [m for m in everything if m.version < 13])
        async with db.transaction() as tx:
            await sql.execute(
                tx,
                "INSERT INTO sessions (guild_id, host_id, title, starts_at, duration_min, zone,"
                " created_at, updated_at) VALUES (1, 2, 'Old', 100, 60, 'UTC', 1, 1)",
            )
            for n, status in enumerate(["going", "going", "waitlist"], start=1):
                await sql.execute(
                    tx,
                    "INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)"
                    " VALUES (1, ?, ?, ?, 1)",
                    (10 + n, status, n),
                )
        await migrate(db, everything)
        head = await session_rsvps.head(db.reader, 1, 10)
        assert (head.going_count, head.waiting_count) == (2, 1)
    finally:
        await db.close()
