"""Nexus on the web, in the services: the opt-in, members kept off the web, names and
forget-me, pages of the archive and of sessions, and calendar feeds."""

from __future__ import annotations

import icalendar
import pytest

from bot.db import sql
from bot.errors import AlreadyDone, InvalidInput, NotConfigured, NotFound
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.services.qa.rules import Ask
from bot.services.web import cursors
from bot.services.web.feeds import token_hash
from bot.time.clock import FakeClock

GUILD, OTHER_GUILD = 1, 2
ASKER, HELPER, HIDDEN, MENTOR = 10, 11, 12, 13
MENTOR_ROLE = 500
mentor = Actor(MENTOR, frozenset(), is_admin=True)


@pytest.fixture
async def web(services: Services) -> Services:
    await services.guilds.save(GUILD, qa_channel_id=100, mentor_role_id=MENTOR_ROLE)
    await services.web.set_state(GUILD, on=True, name="ProDev Nexus", by=MENTOR)
    return services


async def solved(
    services: Services,
    thread: int,
    *,
    asker: int = ASKER,
    helper: int | None = HELPER,
    title: str = "Migrations fail with relation already exists",
    topic: str = "django",
    guild: int = GUILD,
    clock: FakeClock | None = None,
) -> int:
    question = await services.qa.record_question(
        guild_id=guild, channel_id=100, thread_id=thread, opener_id=thread, asker_id=asker,
        ask=Ask(topic, title, "I ran migrate and got ProgrammingError."),
    )  # fmt: skip
    await services.qa.solve(
        thread, mentor, summary="Fake the initial migration.", answerer_id=helper,
        answer_message_id=thread + 1 if helper else None,
    )  # fmt: skip
    if clock is not None:
        clock.advance(seconds=10)
    return question.id


async def test_a_server_is_on_the_web_only_once_an_admin_turns_it_on(
    services: Services, clock: FakeClock
) -> None:
    await solved(services, 900)
    with pytest.raises(NotFound):
        await services.archive.solved(GUILD, limit=10)
    with pytest.raises(NotFound):
        await services.feeds.server(GUILD)
    await services.web.set_state(GUILD, on=True, name="ProDev", by=MENTOR)
    assert len((await services.archive.solved(GUILD, limit=10)).items) == 1
    with pytest.raises(AlreadyDone):
        await services.web.set_state(GUILD, on=True, name="ProDev", by=MENTOR)
    await services.web.set_state(GUILD, on=False, name="ProDev", by=MENTOR)
    with pytest.raises(NotFound):
        await services.archive.question(GUILD, 1)


async def test_turning_it_on_needs_the_web_server(db, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    offline = build_services(db, clock)
    with pytest.raises(NotConfigured, match="WEB_PORT"):
        await offline.web.set_state(GUILD, on=True, name="ProDev", by=MENTOR)
    with pytest.raises(NotConfigured, match="WEB_PORT"):
        await offline.feeds.address(GUILD, ASKER, rotate=False)


async def test_a_hidden_member_is_left_out_and_named_hidden(web: Services) -> None:
    mine = await solved(web, 900, asker=HIDDEN, title="Hidden asker's question title")
    helped = await solved(web, 910, asker=ASKER, helper=HIDDEN, title="Celery worker crashes")
    await web.web.set_visible(HIDDEN, False)
    with pytest.raises(AlreadyDone):
        await web.web.set_visible(HIDDEN, False)

    page = await web.archive.solved(GUILD, limit=10)
    assert [p.question.id for p in page.items] == [helped]
    assert page.items[0].helper is not None and page.items[0].helper.kind == "hidden"
    assert await web.archive.question(GUILD, mine) is None  # the page says it is hidden
    assert await web.archive.search(GUILD, "hidden asker question") == []
    assert dict(await web.archive.topics(GUILD))["django"] == 1
    questions = [await web.qa.get(mine), await web.qa.get(helped)]
    links = await web.web.page_links(GUILD, [q for q in questions if q])
    assert links == {helped: f"https://nexus.example/servers/{GUILD}/questions/{helped}"}

    await web.web.set_visible(HIDDEN, True)
    assert len((await web.archive.solved(GUILD, limit=10)).items) == 2


async def test_names_are_kept_for_servers_on_the_web_and_forget_me_ends_them(
    web: Services,
) -> None:
    qid = await solved(web, 900)
    await web.web.remember_name(GUILD, ASKER, "Ada  Lovelace")
    await web.web.remember_name(GUILD, HELPER, "Hana")
    await web.web.remember_name(OTHER_GUILD, HELPER, "Hana elsewhere")  # not on the web
    shown = await web.archive.question(GUILD, qid)
    assert shown is not None
    assert (shown.asker.name, shown.helper and shown.helper.name) == ("Ada Lovelace", "Hana")
    assert shown.answer_url == f"https://discord.com/channels/{GUILD}/900/901"
    count = await sql.fetch_value(web.db.reader, "SELECT COUNT(*) FROM web_names")
    assert count == 2

    await web.privacy.forget(HELPER)
    await web.privacy.forget(ASKER)
    shown = await web.archive.question(GUILD, qid)
    assert shown is not None and shown.helper is not None
    assert (shown.asker.kind, shown.helper.kind) == ("former", "former")
    assert shown.asker.name == shown.helper.name == "a former member"


async def test_a_hidden_asker_who_forgets_themselves_stays_hidden(web: Services) -> None:
    qid = await solved(web, 900, asker=HIDDEN)
    await web.web.set_visible(HIDDEN, False)
    assert "your choice to keep your posts off the web pages" in " ".join(
        await web.privacy.inventory(HIDDEN)
    )
    await web.privacy.forget(HIDDEN)
    question = await web.qa.get(qid)
    assert question is not None and question.asker_id is None
    assert await web.archive.question(GUILD, qid) is None
    assert not await web.web.is_hidden(HIDDEN)


async def test_pages_follow_their_cursor_without_gaps_or_repeats(
    web: Services, clock: FakeClock
) -> None:
    ids = [await solved(web, 900 + 10 * i, clock=clock) for i in range(7)]
    await solved(web, 2000, topic="docker", clock=clock)
    seen: list[int] = []
    cursor = None
    while True:
        page = await web.archive.solved(GUILD, topic="django", cursor=cursor, limit=3)
        seen += [p.question.id for p in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(ids))  # newest solved first, each once
    with pytest.raises(InvalidInput, match="cursor"):
        await web.archive.solved(GUILD, cursor="not-a-cursor", limit=3)
    with pytest.raises(InvalidInput, match="limit"):
        await web.archive.solved(GUILD, limit=0)
    with pytest.raises(NotFound, match="topic"):
        await web.archive.solved(GUILD, topic="cobol", limit=3)


@pytest.mark.parametrize("text", ["", "x", "MTox", cursors.encode(1)[:-1] + "!", "a" * 300])
def test_cursors_refuse_what_they_did_not_make(text: str) -> None:
    with pytest.raises(InvalidInput):
        cursors.decode(text, 2)


def test_cursors_round_trip() -> None:
    assert cursors.decode(cursors.encode(1_700_000_000, 42), 2) == (1_700_000_000, 42)
    assert cursors.decode(cursors.encode(-1, 0), 2) == (-1, 0)


async def test_the_leaderboard_pages_and_names_helpers(web: Services) -> None:
    for i in range(3):
        await solved(web, 900 + 10 * i, helper=HELPER)
    await solved(web, 990, helper=HIDDEN)
    await web.web.set_visible(HIDDEN, False)
    await web.web.remember_name(GUILD, HELPER, "Hana")
    first = await web.archive.leaderboard(GUILD, period="all", limit=1)
    assert [(h.rank, h.person.name, h.solved) for h in first.items] == [(1, "Hana", 3)]
    second = await web.archive.leaderboard(GUILD, period="all", cursor=first.next_cursor, limit=1)
    assert [(h.rank, h.person.kind, h.solved) for h in second.items] == [(2, "hidden", 1)]
    assert second.next_cursor is None
    with pytest.raises(InvalidInput, match="period"):
        await web.archive.leaderboard(GUILD, period="decade", limit=1)


async def test_unanswered_counts_by_topic(web: Services) -> None:
    await web.qa.record_question(
        guild_id=GUILD, channel_id=100, thread_id=700, opener_id=700, asker_id=ASKER,
        ask=Ask("docker", "Container exits at once", "Exit code 137."),
    )  # fmt: skip
    counts = dict(await web.archive.unanswered(GUILD))
    assert counts["docker"] == 1 and counts["django"] == 0


async def test_sessions_page_by_start(web: Services, clock: FakeClock) -> None:
    made = [
        await web.sessions.create(
            guild_id=GUILD, host_id=ASKER, title=f"Study {i}", when=f"in {i + 1} days"
        )
        for i in range(3)
    ]
    first = await web.archive.sessions(GUILD, limit=2)
    assert [s.session.id for s in first.items] == [made[0].id, made[1].id]
    rest = await web.archive.sessions(GUILD, cursor=first.next_cursor, limit=2)
    assert [s.session.id for s in rest.items] == [made[2].id] and rest.next_cursor is None
    clock.advance(days=1, hours=2)  # the first is over
    assert [s.session.id for s in (await web.archive.sessions(GUILD, limit=5)).items] == [
        made[1].id,
        made[2].id,
    ]


async def test_feeds_use_the_uids_and_sequence_of_the_export(
    web: Services, clock: FakeClock
) -> None:
    mine = await web.sessions.create(
        guild_id=GUILD, host_id=HELPER, title="Django office hours", when="in 2 days",
        repeat="weekly",
    )  # fmt: skip
    await web.sessions.join(mine.id, GUILD, ASKER)
    await web.sessions.edit(mine.id, GUILD, actor=Actor(HELPER), title="Django office hours (v2)")
    await web.sessions.create(guild_id=GUILD, host_id=HELPER, title="Other", when="in 3 days")

    exported, _ = await web.sessions.export(GUILD, ASKER)
    address = await web.feeds.address(GUILD, ASKER, rotate=False)
    assert address.url is not None and address.url.startswith("https://nexus.example/calendar/")
    token = address.url.rsplit("/", 1)[1].removesuffix(".ics")
    personal = await web.feeds.personal(token)

    def events(data: bytes) -> dict[str, int]:
        cal = icalendar.Calendar.from_ical(data)
        return {str(e["UID"]): int(e["SEQUENCE"]) for e in cal.walk("VEVENT")}

    assert events(personal) == events(exported) == {f"session-{mine.id}@nexus": 1}
    server = events(await web.feeds.server(GUILD))
    assert server[f"session-{mine.id}@nexus"] == 1 and len(server) == 2

    # Only the hash is stored; asking again does not show it, rotating revokes it.
    stored = await sql.fetch_value(web.db.reader, "SELECT token_hash FROM calendar_feeds")
    assert stored == token_hash(token) and token not in stored
    again = await web.feeds.address(GUILD, ASKER, rotate=False)
    assert again.url is None and again.since == address.since
    clock.advance(minutes=1)
    rotated = await web.feeds.address(GUILD, ASKER, rotate=True)
    assert rotated.url and rotated.url != address.url and rotated.replaced
    with pytest.raises(NotFound):
        await web.feeds.personal(token)
    new_token = rotated.url.rsplit("/", 1)[1].removesuffix(".ics")
    assert events(await web.feeds.personal(new_token)) == events(exported)

    await web.web.set_state(GUILD, on=False, name="ProDev", by=MENTOR)
    with pytest.raises(NotFound):
        await web.feeds.personal(new_token)
    with pytest.raises(NotConfigured, match="nexus web"):
        await web.feeds.address(GUILD, ASKER, rotate=True)
