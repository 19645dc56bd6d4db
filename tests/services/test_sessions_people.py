"""Study sessions include their people (service and repository level): the host goes
without taking a place, host RSVPs from before are settled, what a joiner is told
about reminders, a repeating session's export and its Google Calendar link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from bot.calendar_export import google_calendar_url
from bot.db import sql
from bot.db.database import Database
from bot.db.timers import Timer
from bot.errors import Conflict
from bot.services.access import Actor
from bot.services.container import Services
from bot.time.clock import FakeClock
from tests.services.test_sessions import ADA, BOLA, GUILD, HOST, create

LONDON = ZoneInfo("Europe/London")


async def test_the_host_goes_without_taking_a_place(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    sessions = services.sessions
    session = await create(services, capacity=1)
    hosting = await sessions.join(session.id, GUILD, HOST)
    assert (hosting.status, hosting.already, hosting.place_in_line) == ("host", True, None)
    assert (await sessions.join(session.id, GUILD, ADA)).status == "going"  # the one place
    assert (await sessions.join(session.id, GUILD, BOLA)).status == "waitlist"
    roster = await sessions.roster(session.id)
    assert (roster.going, roster.waitlist) == ([ADA], [BOLA])
    assert await sessions.concerned(session) == [HOST, ADA, BOLA]
    assert await sessions.concerned(session, but=HOST) == [ADA, BOLA]
    with pytest.raises(Conflict, match=r"You host session #1.*`/session cancel`"):
        await sessions.leave(session.id, GUILD, HOST)
    mine, count = await sessions.upcoming(GUILD, user_id=HOST)
    assert ([s.session.id for s in mine], count, mine[0].going) == ([session.id], 1, 1)


async def test_a_host_rsvp_from_before_is_settled_and_its_place_given_on(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    sessions = services.sessions
    session = await create(services, capacity=1)
    ended = await create(services, title="Over", capacity=1, when="2026-11-29 18:00")
    for old in (session, ended):  # as the bot before this rule let the host join
        async with db.transaction() as tx:
            await sql.execute(
                tx,
                "INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)"
                " VALUES (?, ?, 'going', 1, 0)",
                (old.id, HOST),
            )
    async with db.transaction() as tx:
        await sql.execute(tx, "UPDATE sessions SET status = 'ended' WHERE id = ?", (ended.id,))
    assert (await sessions.join(session.id, GUILD, ADA)).status == "waitlist"
    await sessions.join(session.id, GUILD, BOLA)

    settled = await sessions.settle_hosts(GUILD)
    assert settled.session_ids == {session.id}
    assert [(p.session_id, p.user_id) for p in settled.promoted] == [(session.id, ADA)]
    roster = await sessions.roster(session.id)
    assert (roster.going, roster.waitlist) == ([ADA], [BOLA])
    assert (await sessions.roster(ended.id)).going == [HOST]  # history is left alone
    again = await sessions.settle_hosts(GUILD)
    assert (again.session_ids, again.promoted) == (set(), [])


async def test_a_joiner_learns_when_and_how_reminders_come(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    sessions = services.sessions
    soon = await create(services, when="in 20 minutes")
    later = await create(services, title="Later", when="in 3 days")
    joined = await sessions.join(later.id, GUILD, ADA)
    assert joined.reminders.offsets == [timedelta(days=1), timedelta(minutes=15)]
    assert (joined.reminders.mode, joined.reminders.server_off) == ("channel", False)
    # Only the reminders still ahead of the start are coming.
    assert (await sessions.join(soon.id, GUILD, ADA)).reminders.offsets == [timedelta(minutes=15)]
    clock.advance(minutes=6)
    assert (await sessions.join(soon.id, GUILD, ADA)).reminders.offsets == []
    await sessions.set_notify(ADA, "dm")
    assert (await sessions.reminder_setup(later, ADA)).mode == "dm"
    await sessions.set_offsets(GUILD, "off")
    assert (await sessions.reminder_setup(later, ADA)).server_off


async def test_a_repeating_session_exports_as_one_series_with_its_rule(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    sessions = services.sessions
    await services.preferences.set_timezone(HOST, "Europe/London")
    clock.set(datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    first = await create(services, when="2027-03-22 18:00", repeat="weekly")
    daily = await create(services, title="Stand-up", when="2027-03-23 09:00", repeat="daily")
    await sessions.join(first.id, GUILD, ADA)
    await sessions.join(daily.id, GUILD, ADA)

    def events(data: bytes) -> dict[str, icalendar.Event]:
        calendar = icalendar.Calendar.from_ical(data)
        return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}

    data, count = await sessions.export(GUILD, ADA)
    found = events(data)
    assert count == 2
    weekly = found["Django ORM clinic"]
    assert str(weekly["UID"]) == f"session-{first.id}@nexus"
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY"
    assert found["Stand-up"]["RRULE"].to_ical() == b"FREQ=DAILY"
    assert weekly["DTSTART"].params["TZID"] == "Europe/London"
    # The rule runs in the series' zone: 18:00 in London on both sides of the DST change.
    start = weekly.decoded("DTSTART")
    rule = rrulestr(weekly["RRULE"].to_ical().decode(), dtstart=start)
    assert [t.astimezone(LONDON).hour for t in rule[:3]] == [18, 18, 18]
    assert rule[1].astimezone(UTC) == datetime(2027, 3, 29, 17, 0, tzinfo=UTC)

    # The first occurrence starts: the next one exists, and the rule already covers it.
    clock.set(first.start)
    await services.scheduler.run_due()
    second = await sessions.next_in_series(first.id)
    assert second is not None
    data, count = await sessions.export(GUILD, ADA)
    assert count == 2 and str(events(data)["Django ORM clinic"]["UID"]) == weekly["UID"]

    # Once the first is over, the series' event moves on under the same UID, with a
    # higher SEQUENCE (so a calendar takes it as an update), and the host's edit of
    # the new occurrence raises it again.
    clock.set(first.end)
    await services.scheduler.run_due()
    moved = events((await sessions.export(GUILD, ADA))[0])["Django ORM clinic"]
    assert str(moved["UID"]) == f"session-{first.id}@nexus"
    assert moved.decoded("DTSTART") == second.start
    assert int(moved["SEQUENCE"]) > int(weekly["SEQUENCE"])
    await sessions.edit(second.id, GUILD, actor=Actor(HOST), title="ORM deep dive")
    edited = events((await sessions.export(GUILD, ADA))[0])["ORM deep dive"]
    assert int(edited["SEQUENCE"]) == int(moved["SEQUENCE"]) + 1


async def test_the_google_calendar_link_carries_the_session_and_fits_a_button(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    await services.preferences.set_timezone(HOST, "Africa/Lagos")
    session = await create(
        services,
        when="2026-12-01 18:00",
        repeat="weekly",
        duration=90,
        description="Bring a slow query & your EXPLAIN output.",
    )
    url = google_calendar_url(session)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    params = {key: values for key, values in parse_qs(parts.query, strict_parsing=True).items()}
    assert params == {
        "action": ["TEMPLATE"],
        "text": ["Django ORM clinic"],
        "dates": ["20261201T170000Z/20261201T183000Z"],
        "details": ["Topic: django\n\nBring a slow query & your EXPLAIN output."],
        "ctz": ["Africa/Lagos"],
        "recur": ["RRULE:FREQ=WEEKLY"],
    }
    assert "location" not in params  # no card, thread or voice channel yet

    # Past Discord's 512 characters for a link, the description gives way first, on a
    # word, then the title; non-ASCII text counts as it is encoded.
    wordy = await create(
        services, title="Ünïcödé " * 4, when="2026-12-02 18:00", description="héllo wörld " * 80
    )
    long_url = google_calendar_url(wordy)
    assert len(long_url) <= 512
    shortened = parse_qs(urlsplit(long_url).query)
    assert shortened["details"][0].endswith("…") and shortened["text"] == [wordy.title]
    assert shortened["details"][0].startswith("Topic: django\n\nhéllo wörld héllo")
    tight = parse_qs(urlsplit(google_calendar_url(wordy, limit=200)).query)
    assert "details" not in tight and tight["text"][0].endswith("…")
    assert len(google_calendar_url(wordy, limit=200)) <= 200
