"""The weekly digest on a real database with a fake clock, and its fitting to an embed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.db.database import Database
from bot.db.qa import Question
from bot.services.access import Actor
from bot.services.announcements.digest import (
    TOTAL_LIMIT,
    Digest,
    DigestService,
    Section,
    fit,
)
from bot.services.container import Services
from bot.services.qa.rules import Ask
from bot.time.clock import FakeClock, epoch
from bot.ui.limits import EMBED_FIELD_VALUE

GUILD, OTHER_GUILD = 1, 2
QA_CHANNEL, SESSIONS_CHANNEL = 10, 11
HOST, ASKER, HELPER, HELPER_2, HELPER_3, HELPER_4 = 100, 101, 102, 103, 104, 105
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # the conftest clock
thread_ids = iter(range(5000, 10_000))


def digest_service(services: Services) -> DigestService:
    return DigestService(services.db, services.clock, services.guilds, services.scheduler)


def thread(question: Question) -> str:
    return f"https://discord.com/channels/{question.guild_id}/{question.thread_id}"


async def ask(services: Services, title: str, guild_id: int = GUILD) -> Question:
    thread_id = next(thread_ids)
    return await services.qa.record_question(
        guild_id=guild_id,
        channel_id=QA_CHANNEL,
        thread_id=thread_id,
        opener_id=thread_id,
        asker_id=ASKER,
        ask=Ask("django", title, "It does not work and I tried everything."),
    )


async def solve(
    services: Services, question: Question, summary: str, answerer: int | None
) -> Question:
    return await services.qa.solve(
        question.thread_id, Actor(ASKER), summary=summary, answerer_id=answerer
    )


async def pair(services: Services, db: Database, members: list[int], guild_id: int = GUILD) -> int:
    async with db.transaction() as tx:
        made = await services.pairing.make_pair(
            tx, guild_id=guild_id, members=members, score=1, now=services.clock.now()
        )
    return made.id


async def test_a_busy_week_has_every_section_in_order(
    services: Services, db: Database, clock: FakeClock
) -> None:
    clock.set(NOW - timedelta(days=10))
    stale = await ask(services, "Solved long ago")
    await solve(services, stale, "Old news", HELPER_4)  # outside the week: no line, no credit
    celery = await ask(services, "Celery tasks hang")
    await pair(services, db, [201, 202])  # made before the week
    clock.set(NOW - timedelta(days=3))
    orm = await ask(services, "Why is [my] ORM slow?")
    replied = await ask(services, "Docker volumes vanish")
    await services.qa.timers.record_message(replied.thread_id, HELPER, clock.now())
    clock.set(NOW - timedelta(days=2))
    migrations = await ask(services, "Migrations fail on deploy")
    await solve(services, migrations, "Run migrate before collectstatic", HELPER)
    await pair(services, db, [302, 301])
    clock.set(NOW - timedelta(days=1))
    fixtures = await ask(services, "Pytest fixtures")
    await solve(services, fixtures, "Use conftest.py", ASKER)  # their own answer: no credit
    for title, helper in (("Async views", HELPER_2), ("JWT refresh", HELPER), ("CORS", HELPER_3)):
        await solve(services, await ask(services, title), f"Fixed {title}", helper)
    await pair(services, db, [403, 401, 402])
    await pair(services, db, [501, 502])
    await services.pairing.end(GUILD, 501, 502)  # made this week, but over: left out
    clock.set(NOW)

    clinic = await services.sessions.create(
        guild_id=GUILD,
        host_id=HOST,
        title="Django ORM clinic",
        when="2026-11-30 18:00",
        capacity=10,
    )
    await services.sessions.attach_card(
        clinic.id, channel_id=SESSIONS_CHANNEL, message_id=555, thread_id=None
    )
    for user in (101, 102):
        await services.sessions.join(clinic.id, GUILD, user)
    await services.sessions.create(
        guild_id=GUILD, host_id=HOST, title="Open study hall", when="2026-12-01 09:00"
    )
    await services.sessions.create(  # after the next seven days
        guild_id=GUILD, host_id=HOST, title="Far away", when="2026-12-10 09:00"
    )
    called_off = await services.sessions.create(
        guild_id=GUILD, host_id=HOST, title="Called off", when="2026-11-29 09:00"
    )
    await services.sessions.cancel(called_off.id, GUILD, actor=Actor(HOST))

    digest = await digest_service(services).compose(GUILD)

    assert digest is not None
    assert digest.title == "This week in the community"
    assert (digest.since, digest.until) == (NOW - timedelta(days=7), NOW)
    assert digest.period == "21 – 28 Nov 2026"
    sections = {section.title: section.lines for section in digest.sections}
    assert list(sections) == [
        "Sessions next week",
        "Still unanswered",
        "Solved this week",
        "New pairs",
        "Top helpers",
    ]
    clinic_at = epoch(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    hall_at = epoch(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert sections["Sessions next week"] == (
        f"[Django ORM clinic](https://discord.com/channels/1/11/555) — <t:{clinic_at}:f>"
        " · 2/10 going",
        f"Open study hall — <t:{hall_at}:f> · 0 going",
    )
    assert sections["Still unanswered"] == (
        f"[Celery tasks hang]({thread(celery)}) — asked 10 days ago",
        f"[Why is \\[my\\] ORM slow?]({thread(orm)}) — asked 3 days ago",
    )
    solved = sections["Solved this week"]
    assert solved[:2] == (
        f"[Migrations fail on deploy]({thread(migrations)}) — Run migrate before collectstatic"
        f" · helped by <@{HELPER}>",
        f"[Pytest fixtures]({thread(fixtures)}) — Use conftest.py",
    )
    assert [line.split("]")[0] for line in solved[2:]] == ["[Async views", "[JWT refresh", "[CORS"]
    assert sections["New pairs"] == ("<@301> & <@302> — pair", "<@401>, <@402> & <@403> — trio")
    assert sections["Top helpers"] == (
        f"1. <@{HELPER}> — 2 answers",
        f"2. <@{HELPER_2}> — 1 answer",
        f"3. <@{HELPER_3}> — 1 answer",
    )
    assert all(section.more == 0 for section in digest.sections)


async def test_an_empty_week_is_no_digest(
    services: Services, db: Database, clock: FakeClock
) -> None:
    assert await digest_service(services).compose(GUILD) is None
    # What is old, over or answered says nothing either.
    clock.set(NOW - timedelta(days=9))
    await solve(services, await ask(services, "Old"), "Long solved", HELPER)
    await pair(services, db, [1, 2])
    replied = await ask(services, "Answered")
    await services.qa.timers.record_message(replied.thread_id, HELPER, clock.now())
    clock.set(NOW)
    assert await digest_service(services).compose(GUILD) is None


async def test_only_sections_with_news_are_kept(services: Services, clock: FakeClock) -> None:
    question = await ask(services, "Lonely question")
    digest = await digest_service(services).compose(GUILD)
    assert digest is not None
    assert digest.sections == (
        Section(
            "Still unanswered", (f"[Lonely question]({thread(question)}) — asked 1 minute ago",)
        ),
    )


async def test_another_servers_news_never_appears(
    services: Services, db: Database, clock: FakeClock
) -> None:
    clock.set(NOW - timedelta(days=1))
    await solve(services, await ask(services, "Theirs, solved", OTHER_GUILD), "Done", HELPER)
    await ask(services, "Theirs, open", OTHER_GUILD)
    await pair(services, db, [7, 8], OTHER_GUILD)
    clock.set(NOW)
    await services.sessions.create(
        guild_id=OTHER_GUILD, host_id=HOST, title="Their session", when="tomorrow 18:00"
    )
    assert await digest_service(services).compose(GUILD) is None

    mine = await ask(services, "Mine")
    digest = await digest_service(services).compose(GUILD)
    assert digest is not None
    assert [(s.title, s.lines) for s in digest.sections] == [
        ("Still unanswered", (f"[Mine]({thread(mine)}) — asked 1 minute ago",))
    ]
    theirs = await digest_service(services).compose(OTHER_GUILD)
    assert theirs is not None
    assert [s.title for s in theirs.sections] == [
        "Sessions next week",
        "Still unanswered",
        "Solved this week",
        "New pairs",
        "Top helpers",
    ]


async def test_the_week_is_in_the_servers_timezone(services: Services) -> None:
    await services.guilds.save(GUILD, timezone="Pacific/Auckland")  # UTC+13 in November
    await ask(services, "Anything")
    digest = await digest_service(services).compose(GUILD)
    assert digest is not None
    assert digest.until == NOW and digest.until.utcoffset() == timedelta(hours=13)
    assert digest.period == "21 – 28 Nov 2026"  # 23:00 on both days


def test_the_period_names_month_and_year_only_when_they_change() -> None:
    def period(since: datetime, until: datetime) -> str:
        return Digest("t", since, until, ()).period

    assert period(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC)) == (
        "27 Nov – 4 Dec 2026"
    )
    assert period(datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC)) == (
        "28 Dec 2026 – 4 Jan 2027"
    )


async def test_a_long_list_is_shortened_in_the_digest(services: Services) -> None:
    """60 unanswered questions: more than are read (50) and than fit in a field."""
    for n in range(60):
        await ask(services, f"Question number {n:02} about a rather long and winding topic")
    digest = await digest_service(services).compose(GUILD)
    assert digest is not None
    (section,) = digest.sections
    assert len(section.value) <= EMBED_FIELD_VALUE
    shown = len(section.lines)
    assert 0 < shown < 50
    assert section.value.endswith(f"\n…and {60 - shown} more")
    assert section.lines[0].startswith("[Question number 00 ")
    assert section.lines[-1].startswith(f"[Question number {shown - 1:02} ")


# -- fitting ------------------------------------------------------------------------------


def lines(count: int, width: int = 100, tag: str = "") -> tuple[str, ...]:
    return tuple(f"{tag}{n:03} ".ljust(width, "x") for n in range(count))


def test_a_section_that_fits_is_kept_whole() -> None:
    sections = (Section("A", lines(3)), Section("B", lines(2), more=4))
    assert fit(sections, 1024, 5500) == sections
    assert sections[1].value.endswith("\n…and 4 more")


def test_a_long_section_keeps_the_lines_that_fit_and_counts_the_rest() -> None:
    (section,) = fit([Section("Long", lines(40))], EMBED_FIELD_VALUE, TOTAL_LIMIT)
    # Ten lines of 100 and their newlines are 1,009; "\n…and 30 more" makes 1,022.
    assert section.lines == lines(10)
    assert section.more == 30
    assert section.value == "\n".join([*lines(10), "…and 30 more"])
    assert len(section.value) == 1022


def test_what_was_already_left_out_is_counted_too() -> None:
    (section,) = fit([Section("Long", lines(40), more=10)], 1024, 5500)
    assert (len(section.lines), section.more) == (10, 40)


def test_the_longest_sections_give_way_to_the_total() -> None:
    sections = [
        Section("Sessions", lines(40, tag="s")),
        Section("Unanswered", lines(40, tag="u")),
        Section("Solved", lines(40, tag="d")),
        Section("Pairs", lines(40, tag="p")),
        Section("Helpers", lines(3, width=30, tag="h")),
        Section("Extra", lines(40, tag="e")),
    ]
    assert sum(len(s.title) + len(s.value) for s in fit(sections, 1024, 10_000)) > 5000
    fitted = fit(sections, 1024, 3000)
    assert 2900 < sum(len(s.title) + len(s.value) for s in fitted) <= 3000
    assert [s.title for s in fitted] == [s.title for s in sections]
    assert fitted[4] == sections[4]  # the short one is untouched
    long = [s for s in fitted if s.title != "Helpers"]
    assert max(len(s.lines) for s in long) - min(len(s.lines) for s in long) <= 1
    originals = {s.title: s for s in sections}
    assert all(s.lines == originals[s.title].lines[: len(s.lines)] for s in long)
    assert all(len(s.lines) + s.more == 40 for s in long)


def test_sections_that_cannot_fit_at_all_are_left_out() -> None:
    fitted = fit([Section("A", lines(5)), Section("B", lines(5))], 1024, 20)
    assert fitted == (Section("A", (), more=5),)
    assert fit([Section("A", lines(5))], 10, 5500) == ()  # "…and 5 more" is 12 characters


words = st.text(alphabet="abcdefghij", min_size=1, max_size=12)
a_line = st.lists(words, min_size=1, max_size=40).map(" ".join)
a_section = st.builds(
    Section,
    title=st.sampled_from(["Sessions next week", "Still unanswered", "New pairs", "T"]),
    lines=st.lists(a_line, min_size=1, max_size=60).map(tuple),
    more=st.integers(0, 500),
)


@given(
    sections=st.lists(a_section, min_size=1, max_size=6),
    field_limit=st.integers(40, 1024),
    total_limit=st.integers(100, 6000),
)
def test_fitting_respects_every_limit_and_loses_nothing_silently(
    sections: list[Section], field_limit: int, total_limit: int
) -> None:
    fitted = fit(sections, field_limit, total_limit)
    assert all(len(s.value) <= field_limit for s in fitted)
    assert sum(len(s.title) + len(s.value) for s in fitted) <= total_limit
    # Sections keep their order (only the last ones may go); each keeps a prefix of its
    # lines, unchanged, and counts every line it left out.
    for kept, original in zip(fitted, sections, strict=False):
        assert kept.title == original.title
        assert kept.lines == original.lines[: len(kept.lines)]
        assert len(kept.lines) + kept.more == len(original.lines) + original.more
    if len(fitted) < len(sections):
        assert all(not s.lines for s in fitted)
    if all(len(s.value) <= field_limit for s in sections) and (
        sum(len(s.title) + len(s.value) for s in sections) <= total_limit
    ):
        assert fitted == tuple(sections)


async def test_the_week_is_shown_in_the_servers_zone(services: Services, clock: FakeClock) -> None:
    from zoneinfo import ZoneInfo

    await services.guilds.save(GUILD, timezone="Pacific/Kiritimati")  # UTC+14
    clock.set(NOW - timedelta(days=1))
    await solve(services, await ask(services, "Celery tasks hang"), "Use acks_late.", HELPER)
    clock.set(NOW)
    digest = await digest_service(services).compose(GUILD)
    assert digest is not None
    assert digest.since.utcoffset() == timedelta(hours=14)
    assert digest.since.tzinfo == ZoneInfo("Pacific/Kiritimati")
    assert (digest.since.day, digest.until.day) == (22, 29)  # 21 Nov 10:00 UTC is the 22nd
