"""Forget-me, checked against the schema itself: every column of every table that can
name a user is found by its name (deny by default: a new ``*_id``/``*_by`` column is a
user column unless listed below as something else), a user is given data in every
feature, and after forget-me no row anywhere still names them."""

from __future__ import annotations

from bot.db import sql
from bot.db.database import Database
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.qa.rules import Ask
from bot.time.clock import FakeClock

GUILD, ME, OTHER, THIRD = 1, 77, 88, 99
MENTOR_ROLE, HELPER_ROLE = 500, 501

# Columns ending in _id or _by that name something other than a user.
NOT_USERS = {
    "guild_id",
    "channel_id",
    "message_id",
    "thread_id",
    "subject_id",
    "session_id",
    "question_id",
    "pair_id",
    "round_id",
    "request_id",
    "announcement_id",
    "timer_id",
    "opener_id",
    "event_id",
    "voice_channel_id",
    "previous_id",
    "answer_message_id",
    "nudge_timer_id",
    "dormant_timer_id",
    "check_timer_id",
    "hint_message_id",
    "dm_channel_id",
    "qa_channel_id",
    "sessions_channel_id",
    "announcements_channel_id",
    "pairing_channel_id",
    "mentor_role_id",
    "helper_role_id",
    "ping_role_id",
}


async def user_columns(db: Database) -> list[tuple[str, str]]:
    if db.dialect == "postgresql":
        columns = await sql.fetch_all(
            db.reader,
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name != 'schema_version'",
        )
        return sorted(
            (table, name)
            for table, name in columns
            if (name.endswith(("_id", "_by")) and name not in NOT_USERS) or name == "user_id"
        )
    tables = await sql.fetch_all(
        db.reader,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        " AND name NOT IN (SELECT name || '_data' FROM sqlite_master)",  # fts shadow tables
    )
    found = []
    for (table,) in tables:
        if table.startswith("qa_fts"):
            continue  # the search index's own tables: text, no ids
        for column in await sql.fetch_all(db.reader, f"PRAGMA table_info({table})"):
            name = column["name"]
            if (name.endswith(("_id", "_by")) and name not in NOT_USERS) or name == "user_id":
                found.append((table, name))
    return found


async def names(db: Database, place: tuple[str, str], user_id: int) -> bool:
    table, column = place
    query = f"SELECT COUNT(*) FROM {table} WHERE {column} = ?"  # noqa: S608 - from the schema
    return bool(await sql.fetch_value(db.reader, query, (user_id,)))


async def test_no_row_names_a_forgotten_user(services: Services, clock: FakeClock) -> None:
    db = services.db
    me = Actor(ME, frozenset({MENTOR_ROLE, HELPER_ROLE}))
    await services.guilds.save(
        GUILD,
        qa_channel_id=10,
        sessions_channel_id=11,
        announcements_channel_id=12,
        pairing_channel_id=13,
        mentor_role_id=MENTOR_ROLE,
        helper_role_id=HELPER_ROLE,
    )
    # Preferences and a reminder (and the reminder's timer).
    await services.preferences.set_timezone(ME, "Africa/Lagos")
    await services.reminders.create(
        user_id=ME, guild_id=GUILD, channel_id=20, when="in 1 hour", what="stand-up"
    )
    # Sessions: hosting one, joined to another, a reminder choice.
    await services.sessions.create(guild_id=GUILD, host_id=ME, title="Mine", when="in 2 days")
    theirs = await services.sessions.create(
        guild_id=GUILD, host_id=OTHER, title="Theirs", when="in 2 days"
    )
    await services.sessions.join(theirs.id, GUILD, ME)
    await services.sessions.set_notify(ME, "dm")
    # Q&A: asked one, answered and solved another, subscribed.
    await services.qa.record_question(
        guild_id=GUILD, channel_id=10, thread_id=900, opener_id=900, asker_id=ME,
        ask=Ask("django", "My question", "Details."),
    )  # fmt: skip
    await services.qa.record_question(
        guild_id=GUILD, channel_id=10, thread_id=901, opener_id=901, asker_id=OTHER,
        ask=Ask("django", "Their question", "Details."),
    )  # fmt: skip
    await services.qa.solve(901, me, summary="Use select_related.", answerer_id=ME)
    await services.qa.subscribe(GUILD, me, "django")
    # Pairing: a profile, an accepted request then ended by me, an exclusion, a round I
    # started, an open request.
    for user, track in ((ME, "backend"), (OTHER, "frontend"), (THIRD, "frontend")):
        await services.pairing.save_profile(GUILD, user, track=track, skills="python")
    request = await services.pairing.request(GUILD, ME, OTHER, "Let's build")
    await services.pairing.answer(request.id, OTHER, accept=True)
    await services.pairing.end(GUILD, ME, OTHER)
    await services.pairing.exclude(GUILD, OTHER, ME)
    await services.pairing.request(GUILD, THIRD, ME, None)
    await services.pairing.rounds.plan(GUILD, started_by=ME)
    # Announcements: one posted-to-be draft and one scheduled.
    draft = await services.announcements.draft(
        GUILD, me, author_name="me", channel_id=12, title="Hi", body="Hello",
        ping_role_id=None, when="in 1 hour", repeat="none",
    )  # fmt: skip
    await services.announcements.confirm(draft.id, me)
    # Web: turned the server's pages on, kept my posts off them, my name, a feed.
    await services.web.set_state(GUILD, on=True, name="ProDev", by=ME)
    await services.web.set_visible(ME, False)
    await services.web.remember_name(GUILD, ME, "Me")
    await services.feeds.address(GUILD, ME, rotate=False)
    clock.advance(minutes=1)

    columns = await user_columns(db)
    named = {place for place in columns if await names(db, place, ME)}
    assert len(named) >= 15, named  # the seeding reached (nearly) every feature

    await services.privacy.forget(ME)
    left = {place for place in columns if await names(db, place, ME)}
    assert left == set()
