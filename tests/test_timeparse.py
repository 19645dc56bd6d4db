"""Tests for the one parser of user-typed times, durations, schedules and availability."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.time.availability import (
    WeeklyWindow,
    format_availability,
    parse_availability,
    weekly_hours,
    weekly_overlap_hours,
)
from bot.time.durations import format_duration, parse_duration, parse_offsets
from bot.time.timeparse import MAX_AHEAD, parse_weekly_schedule, parse_when, warm_up
from bot.time.timezones import suggest_zones
from bot.time.wallclock import add_local, next_weekly_occurrence

LAGOS = ZoneInfo("Africa/Lagos")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Saturday 28 November 2026, 10:15 in Lagos (UTC+1, no DST) = 09:15 UTC.
NOW = datetime(2026, 11, 28, 10, 15, tzinfo=LAGOS)

PROPS = settings(max_examples=60, deadline=None)


def lagos(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=LAGOS).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def when(
    text: str,
    zone: ZoneInfo = LAGOS,
    now: datetime = NOW,
    *,
    allow_past: bool = False,
    max_ahead: timedelta = MAX_AHEAD,
) -> datetime:
    return parse_when(text, zone=zone, now=now, allow_past=allow_past, max_ahead=max_ahead)


# --- the phrase table -------------------------------------------------------------------

PHRASES: list[tuple[str, datetime]] = [
    # day + clock time
    ("tomorrow 6pm", lagos(2026, 11, 29, 18)),
    ("tomorrow 18:00", lagos(2026, 11, 29, 18)),
    ("tomorrow at 18:00", lagos(2026, 11, 29, 18)),
    ("Tomorrow 6 PM", lagos(2026, 11, 29, 18)),
    ("tmrw 7pm", lagos(2026, 11, 29, 19)),
    ("tommorow 7:30pm", lagos(2026, 11, 29, 19, 30)),
    ("day after tomorrow 5pm", lagos(2026, 11, 30, 17)),
    ("friday 18:00", lagos(2026, 12, 4, 18)),
    ("fri 6pm", lagos(2026, 12, 4, 18)),
    ("on friday at 6pm", lagos(2026, 12, 4, 18)),
    ("at 7:30pm on friday", lagos(2026, 12, 4, 19, 30)),
    ("next monday 9am", lagos(2026, 11, 30, 9)),
    ("monday 9am", lagos(2026, 11, 30, 9)),
    ("wed 9:30am", lagos(2026, 12, 2, 9, 30)),
    ("sunday 22:00", lagos(2026, 11, 29, 22)),
    ("saturday 11am", lagos(2026, 11, 28, 11)),  # today, still ahead
    ("saturday 9am", lagos(2026, 12, 5, 9)),  # today's has passed: next week
    ("next saturday 11am", lagos(2026, 12, 5, 11)),  # "next" is never today
    ("friday midnight", lagos(2026, 12, 5, 0)),  # the end of friday
    # parts of the day
    ("tonight 8pm", lagos(2026, 11, 28, 20)),
    ("tonight 8:30", lagos(2026, 11, 28, 20, 30)),
    ("this evening", lagos(2026, 11, 28, 18)),
    ("tomorrow morning", lagos(2026, 11, 29, 9)),
    ("sunday morning 10am", lagos(2026, 11, 29, 10)),
    # a clock time alone: the next one
    ("noon", lagos(2026, 11, 28, 12)),
    ("midnight", lagos(2026, 11, 29, 0)),
    ("18:00", lagos(2026, 11, 28, 18)),
    ("6:30pm", lagos(2026, 11, 28, 18, 30)),
    ("9am", lagos(2026, 11, 29, 9)),
    # calendar dates (dateparser, checked)
    ("dec 3 7pm", lagos(2026, 12, 3, 19)),
    ("7pm dec 3", lagos(2026, 12, 3, 19)),
    ("3 december 18:30", lagos(2026, 12, 3, 18, 30)),
    ("december 5th at 6pm", lagos(2026, 12, 5, 18)),
    ("25/12 7pm", lagos(2026, 12, 25, 19)),
    ("1 jan 9am", lagos(2027, 1, 1, 9)),
    ("jan 15 2027 10:00", lagos(2027, 1, 15, 10)),
    ("in 2 days at 6pm", lagos(2026, 11, 30, 18)),
    ("next week 18:00", lagos(2026, 12, 5, 18)),
    # ISO
    ("2026-12-01 18:00", lagos(2026, 12, 1, 18)),
    ("2026-12-01T18:00:00", lagos(2026, 12, 1, 18)),
    ("2026-12-01 18:00:30", lagos(2026, 12, 1, 18, 0, 30)),
    ("2026/12/01 18:00", lagos(2026, 12, 1, 18)),
    ("2026-12-01 6pm", lagos(2026, 12, 1, 18)),
    ("2026-12-01T18:00:00Z", utc(2026, 12, 1, 18)),
    ("2026-12-01T18:00:00+01:00", utc(2026, 12, 1, 17)),
    # a zone or offset in the text overrides the user's zone
    ("2026-12-01 18:00 UTC+1", utc(2026, 12, 1, 17)),
    ("2026-12-01 18:00 utc-5", utc(2026, 12, 1, 23)),
    ("18:00 +05:30", utc(2026, 11, 28, 12, 30)),
    ("9am utc", utc(2026, 11, 29, 9)),  # 09:00 UTC today has passed
    ("tomorrow 18:00 Europe/London", utc(2026, 11, 29, 18)),
    ("friday 9am America/New_York", utc(2026, 12, 4, 14)),
    # durations from now
    ("in 2 hours", lagos(2026, 11, 28, 12, 15)),
    ("in 45 minutes", lagos(2026, 11, 28, 11)),
    ("2h30m", lagos(2026, 11, 28, 12, 45)),
    ("90m", lagos(2026, 11, 28, 11, 45)),
    ("in 1 hour 30 minutes", lagos(2026, 11, 28, 11, 45)),
    ("in 1.5h", lagos(2026, 11, 28, 11, 45)),
    ("in an hour", lagos(2026, 11, 28, 11, 15)),
    ("in half an hour", lagos(2026, 11, 28, 10, 45)),
    ("30 minutes from now", lagos(2026, 11, 28, 10, 45)),
    ("in 3 days", lagos(2026, 12, 1, 10, 15)),
    ("in 1 week", lagos(2026, 12, 5, 10, 15)),
]


def test_phrase_table_is_big_enough() -> None:
    assert len(PHRASES) >= 40


@pytest.mark.parametrize(("text", "expected"), PHRASES, ids=[p for p, _ in PHRASES])
def test_phrase(text: str, expected: datetime) -> None:
    result = when(text)
    assert result == expected
    assert result.tzinfo is UTC
    assert result.microsecond == 0


def test_zone_in_the_text_wins_over_the_users_zone() -> None:
    for user_zone in (LAGOS, NEW_YORK, ZoneInfo("Asia/Kolkata")):
        assert when("tomorrow 18:00 Europe/London", user_zone) == utc(2026, 11, 29, 18)
        assert when("2026-12-01 18:00 +05:30", user_zone) == utc(2026, 12, 1, 12, 30)
        assert when("2026-12-01 18:00 gmt", user_zone) == utc(2026, 12, 1, 18)
    # without one, the same words mean the user's own 18:00
    assert when("tomorrow 18:00", NEW_YORK) == utc(2026, 11, 29, 23)
    # the named zone also decides what "tomorrow" is: 08:15 on Saturday in New York
    assert when("tomorrow 9am America/New_York") == utc(2026, 11, 29, 14)


def test_result_is_to_the_second() -> None:
    now = datetime(2026, 11, 28, 9, 15, 0, 987654, tzinfo=UTC)
    assert when("in 2 hours", now=now) == utc(2026, 11, 28, 11, 15)


def test_warm_up_runs() -> None:
    warm_up()


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-11-28 09:00", "not in the future"),
        ("today 9am", "not in the future"),
        ("yesterday", "not in the future"),
        ("2 days ago", "not in the future"),
        ("last friday 6pm", "not in the future"),
        ("now", "not in the future"),
        ("2027-12-01 18:00", "too far ahead"),
        ("in 400 days", "too far ahead"),
        ("blursday", "couldn't read `blursday`"),
        ("asdf qwer", "couldn't read `asdf qwer`"),
        ("tomorrow 6", "couldn't read `tomorrow 6`"),  # dateparser drops the 6
        ("sat 11", "couldn't read `sat 11`"),  # dateparser reads the 11th
        ("friday at 6", "couldn't read"),
        ("the 5th at 6pm", "couldn't read"),
        ("1", "couldn't read"),
        ("1830", "couldn't read"),
        ("friday", "needs a time of day"),
        ("tomorrow", "needs a time of day"),
        ("dec 3", "needs a time of day"),
        ("2026-12-01", "needs a time of day"),
        ("25:00", "isn't a time of day"),
        ("tomorrow 13pm", "isn't a time of day"),
        ("2026-02-30 10:00", "isn't a real date"),
        ("3/12 7pm", "could be 3 Dec or 12 Mar"),
        ("18:00 utc+15", "isn't a UTC offset"),
        ("18:00 Europe/Londn", "Europe/London"),
        ("18:00 UTC Europe/London", "one timezone"),
    ],
)
def test_refused(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        when(text)
    assert fragment in err.value.message


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_is_refused_with_examples(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        when(text)
    assert "`tomorrow 18:00`" in err.value.message


def test_not_understood_names_the_input_and_shows_examples() -> None:
    with pytest.raises(InvalidInput) as err:
        when("blursday")
    msg = err.value.message
    assert msg.startswith("I couldn't read `blursday` as a time.")
    assert "`tomorrow 18:00`" in msg
    assert "`in 2 hours`" in msg
    assert "`2026-12-01 18:00`" in msg  # an ISO example three days ahead of now


def test_long_input_is_truncated_and_backticks_cannot_break_the_quote() -> None:
    with pytest.raises(InvalidInput) as err:
        when("`blursday` " * 30)
    msg = err.value.message
    quoted = msg.split("`")[1]
    assert len(quoted) <= 40
    assert quoted.endswith("…")


def test_allow_past_and_max_ahead() -> None:
    assert when("2026-11-28 09:00", allow_past=True) == lagos(2026, 11, 28, 9)
    assert when("yesterday 18:00", allow_past=True) == lagos(2026, 11, 27, 18)
    with pytest.raises(InvalidInput, match="within the next 7 days"):
        when("2026-12-10 18:00", max_ahead=timedelta(days=7))
    with pytest.raises(InvalidInput, match="within the next 2 hours"):
        when("in 3 hours", max_ahead=timedelta(hours=2))
    assert when("2027-11-29 10:00") == lagos(2027, 11, 29, 10)  # 366 days: allowed
    assert timedelta(days=366) == MAX_AHEAD


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("tomorrow 18:00", zone=LAGOS, now=NOW.replace(tzinfo=None))


# --- dateparser quirks -----------------------------------------------------------------


def test_weekday_on_that_weekday_after_the_time_is_next_week() -> None:
    friday_evening = datetime(2026, 11, 27, 19, tzinfo=LAGOS)
    assert when("friday 18:00", now=friday_evening) == lagos(2026, 12, 4, 18)
    assert when("this friday 18:00", now=friday_evening) == lagos(2026, 12, 4, 18)
    assert when("friday evening", now=friday_evening) == lagos(2026, 12, 4, 18)
    assert when("friday 20:00", now=friday_evening) == lagos(2026, 11, 27, 20)
    friday_morning = datetime(2026, 11, 27, 9, tzinfo=LAGOS)
    assert when("friday 18:00", now=friday_morning) == lagos(2026, 11, 27, 18)
    assert when("next friday 18:00", now=friday_morning) == lagos(2026, 12, 4, 18)


@pytest.mark.parametrize("weekday", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
@pytest.mark.parametrize("day_offset", range(7))
def test_weekday_names_always_resolve_to_the_next_seven_days(weekday: str, day_offset: int) -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=LAGOS) + timedelta(days=day_offset)
    result = when(f"{weekday} 12:00", now=now)
    assert timedelta(0) < result - now.astimezone(UTC) <= timedelta(days=7)
    assert result.astimezone(LAGOS).strftime("%a").lower() == weekday


# --- DST -------------------------------------------------------------------------------


def test_london_tomorrow_across_the_october_change() -> None:
    saturday = datetime(2026, 10, 24, 12, tzinfo=LONDON)  # BST; clocks go back Sunday 02:00
    assert when("tomorrow 18:00", LONDON, saturday) == utc(2026, 10, 25, 18)  # GMT
    assert when("today 18:00", LONDON, saturday) == utc(2026, 10, 24, 17)  # BST
    # 01:30 happens twice that night: the first one (still BST) is taken.
    assert when("tomorrow 01:30", LONDON, saturday) == utc(2026, 10, 25, 0, 30)


def test_london_tomorrow_across_the_march_change() -> None:
    saturday = datetime(2027, 3, 27, 12, tzinfo=LONDON)  # GMT; clocks go forward Sunday 01:00
    assert when("tomorrow 18:00", LONDON, saturday) == utc(2027, 3, 28, 17)  # BST
    with pytest.raises(InvalidInput) as err:
        when("tomorrow 01:30", LONDON, saturday)
    assert "does not exist in Europe/London" in err.value.message
    assert "`2027-03-28 02:30`" in err.value.message
    with pytest.raises(InvalidInput, match="does not exist"):
        when("2027-03-28 01:30", LONDON, saturday)


def test_new_york_across_both_changes() -> None:
    fall = datetime(2026, 10, 31, 12, tzinfo=NEW_YORK)  # EDT; back on Sunday 1 Nov
    assert when("tomorrow 18:00", NEW_YORK, fall) == utc(2026, 11, 1, 23)  # EST
    spring = datetime(2027, 3, 13, 12, tzinfo=NEW_YORK)  # EST; forward on Sunday 14 Mar
    assert when("tomorrow 18:00", NEW_YORK, spring) == utc(2027, 3, 14, 22)  # EDT
    with pytest.raises(InvalidInput, match="does not exist in America/New_York"):
        when("tomorrow 02:30", NEW_YORK, spring)


def test_durations_from_now_across_dst() -> None:
    just_before = datetime(2027, 3, 28, 0, 30, tzinfo=LONDON)
    # hours are real elapsed time...
    assert when("in 2 hours", LONDON, just_before) == utc(2027, 3, 28, 2, 30)  # 03:30 BST
    # ...whole days keep the wall-clock time.
    evening = datetime(2027, 3, 27, 18, tzinfo=LONDON)
    assert when("in 1 day", LONDON, evening) == utc(2027, 3, 28, 17)


def test_next_weekly_occurrence_keeps_local_time_across_october() -> None:
    first = datetime(2026, 10, 19, 18, tzinfo=LONDON)  # Monday 18:00 BST
    second = next_weekly_occurrence(first, weekday=0, at=time(18), zone=LONDON)
    third = next_weekly_occurrence(second, weekday=0, at=time(18), zone=LONDON)
    assert second == utc(2026, 10, 26, 18)  # 18:00 GMT
    assert third == utc(2026, 11, 2, 18)
    assert second - first.astimezone(UTC) == timedelta(days=7, hours=1)
    # The Sunday of the change itself: 18:00 is after the change.
    sunday = next_weekly_occurrence(
        datetime(2026, 10, 20, tzinfo=UTC), weekday=6, at=time(18), zone=LONDON
    )
    assert sunday == utc(2026, 10, 25, 18)


def test_next_weekly_occurrence_edge_cases() -> None:
    monday_1800 = utc(2026, 11, 30, 17)  # 18:00 in Lagos
    just_before = monday_1800 - timedelta(seconds=1)
    assert next_weekly_occurrence(just_before, weekday=0, at=time(18), zone=LAGOS) == monday_1800
    # strictly after: at the instant itself, the next one is a week later
    assert next_weekly_occurrence(
        monday_1800, weekday=0, at=time(18), zone=LAGOS
    ) == monday_1800 + timedelta(days=7)
    # a skipped wall time moves forward by the jump
    gap = next_weekly_occurrence(
        datetime(2027, 3, 22, tzinfo=UTC), weekday=6, at=time(1, 30), zone=LONDON
    )
    assert gap.astimezone(LONDON).replace(tzinfo=None) == datetime(2027, 3, 28, 2, 30)
    # an ambiguous wall time is its first occurrence
    twice = next_weekly_occurrence(
        datetime(2026, 10, 19, tzinfo=UTC), weekday=6, at=time(1, 30), zone=LONDON
    )
    assert twice == utc(2026, 10, 25, 0, 30)
    with pytest.raises(ValueError, match="weekday"):
        next_weekly_occurrence(monday_1800, weekday=7, at=time(18), zone=LAGOS)


def test_add_local_is_wall_clock_arithmetic() -> None:
    session = datetime(2026, 10, 24, 18, tzinfo=LONDON)
    assert add_local(session, timedelta(days=1), LONDON) == utc(2026, 10, 25, 18)
    assert add_local(session, timedelta(weeks=1), LONDON) == utc(2026, 10, 31, 18)
    spring = datetime(2027, 3, 27, 18, tzinfo=LONDON)
    assert add_local(spring, timedelta(days=1), LONDON) == utc(2027, 3, 28, 17)
    assert add_local(spring, timedelta(days=-1), LONDON) == utc(2027, 3, 26, 18)
    # landing in the gap moves forward by the jump
    night = datetime(2027, 3, 27, 1, 30, tzinfo=LONDON)
    landed = add_local(night, timedelta(days=1), LONDON).astimezone(LONDON)
    assert (landed.hour, landed.minute) == (2, 30)
    assert add_local(NOW, timedelta(days=1), LAGOS).tzinfo is UTC


# --- durations and offsets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("1h30", timedelta(minutes=90)),
        ("1:30", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("45m", timedelta(minutes=45)),
        ("45 min", timedelta(minutes=45)),
        ("1d", timedelta(days=1)),
        ("1 hour 30 minutes", timedelta(minutes=90)),
        ("1 hour and 30 minutes", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("an hour", timedelta(hours=1)),
        ("half an hour", timedelta(minutes=30)),
        ("1w", timedelta(days=7)),
        ("30s", timedelta(seconds=30)),
        ("  2H  ", timedelta(hours=2)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_parse_duration_default_unit_and_bounds() -> None:
    assert parse_duration("2", default_unit="hours") == timedelta(hours=2)
    assert parse_duration("1.5", default_unit="days") == timedelta(hours=36)
    with pytest.raises(InvalidInput, match="too short: at least 15 minutes"):
        parse_duration("10", minimum=timedelta(minutes=15))
    with pytest.raises(InvalidInput, match="too long: at most 4 hours"):
        parse_duration("5h", maximum=timedelta(hours=4))
    with pytest.raises(ValueError, match="default_unit"):
        parse_duration("5", default_unit="fortnights")


@pytest.mark.parametrize("text", ["0", "0m", "-5", "-1h", "abc", "", "1h30x", "5 parsecs", "h"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_duration(text)
    assert "`1h30m`" in err.value.message


def test_format_duration() -> None:
    assert format_duration(timedelta(minutes=90)) == "1 hour 30 minutes"
    assert format_duration(timedelta(days=1, seconds=5)) == "1 day 5 seconds"
    assert format_duration(timedelta(days=2, hours=1)) == "2 days 1 hour"
    assert format_duration(timedelta(0)) == "0 minutes"
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(seconds=-1))


def test_parse_offsets() -> None:
    day, hour, ten = timedelta(days=1), timedelta(hours=1), timedelta(minutes=10)
    assert parse_offsets("1d,1h,10m") == [day, hour, ten]
    assert parse_offsets("10m, 1h ,1d") == [day, hour, ten]
    assert parse_offsets("1h, 60m, 60") == [hour]
    assert parse_offsets("15") == [timedelta(minutes=15)]
    assert parse_offsets("none") == []
    assert parse_offsets("1d;2h") == [day, timedelta(hours=2)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1d,xx,10m", "`xx`"),
        ("1d, 8d", "`8d` is too long"),
        ("1m,2m,3m,4m,5m,6m", "at most 5"),
        ("", "remind you"),
        (",", "remind you"),
        ("1h,0m", "`0m`"),
    ],
)
def test_parse_offsets_refuses(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_offsets(text)
    assert fragment in err.value.message


def test_parse_offsets_limits_are_parameters() -> None:
    assert len(parse_offsets("1m,2m,3m,4m,5m,6m", max_count=6)) == 6
    with pytest.raises(InvalidInput):
        parse_offsets("2h", maximum=timedelta(hours=1))


# --- weekly schedule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon 10:00", (0, time(10))),
        ("weekly mon 10:00", (0, time(10))),
        ("monday 9am", (0, time(9))),
        ("Every Friday at 6:30pm", (4, time(18, 30))),
        ("18:00 on sundays", (6, time(18))),
        ("thurs 07:15", (3, time(7, 15))),
        ("sun midnight", (0, time(0))),
        ("sat noon", (5, time(12))),
        ("off", None),
        ("None", None),
    ],
)
def test_parse_weekly_schedule(text: str, expected: tuple[int, time] | None) -> None:
    assert parse_weekly_schedule(text) == expected


@pytest.mark.parametrize("text", ["mon", "blursday 10:00", "mon 25:00", "", "10:00", "mon 10"])
def test_parse_weekly_schedule_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_weekly_schedule(text)
    assert "`" in err.value.message


# --- availability ----------------------------------------------------------------------


def w(day: int, start: int, end: int, start_min: int = 0, end_min: int = 0) -> WeeklyWindow:
    return WeeklyWindow(day, time(start, start_min), time(end % 24, end_min))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mon-fri 18-22, sat 10-14",
            [w(0, 18, 22), w(1, 18, 22), w(2, 18, 22), w(3, 18, 22), w(4, 18, 22), w(5, 10, 14)],
        ),
        ("mon,wed 19:00-21:30", [w(0, 19, 21, 0, 30), w(2, 19, 21, 0, 30)]),
        ("weekends 10-12", [w(5, 10, 12), w(6, 10, 12)]),
        ("daily 20-22", [w(d, 20, 22) for d in range(7)]),
        ("sun 22-2", [w(0, 0, 2), w(6, 22, 24)]),  # crosses midnight into Monday
        ("fri 23:30-01:00", [w(4, 23, 24, 30), w(5, 0, 1)]),
        ("mon 9am-5pm", [w(0, 9, 17)]),
        ("tue 9-11pm", [w(1, 21, 23)]),
        ("wed 10-2am", [w(2, 22, 24), w(3, 0, 2)]),
        ("thu 6pm-8", [w(3, 18, 20)]),
        ("mon 18-20, 19-22", [w(0, 18, 22)]),  # overlapping: merged
        ("mon 18-20 mon 20-22", [w(0, 18, 22)]),  # adjacent: merged
        ("mon 0-24", [w(0, 0, 24)]),
        ("mon 22-midnight", [w(0, 22, 24)]),
        ("every monday from 18:00 to 20:00", [w(0, 18, 20)]),
        ("fri-mon 10-11", [w(0, 10, 11), w(4, 10, 11), w(5, 10, 11), w(6, 10, 11)]),
        (
            "Weekdays 9-17 and weekends 12-13",
            [*(w(d, 9, 17) for d in range(5)), *(w(d, 12, 13) for d in (5, 6))],
        ),
        ("none", []),
    ],
)
def test_parse_availability(text: str, expected: list[WeeklyWindow]) -> None:
    assert parse_availability(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "usually free"),
        ("blursday 10-12", "`blursday`"),
        ("mon", "`mon` needs hours"),
        ("mon 18-22, tue", "`tue` needs hours"),
        ("18-22", "Which days is `18-22`"),
        ("mon 18-18", "empty window"),
        ("mon 25-26", "impossible"),
        ("mon 13pm-2pm", "impossible"),
        ("mon 18-22 xyz", "`xyz`"),
    ],
)
def test_parse_availability_refuses(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_availability(text)
    assert fragment in err.value.message
    assert "`mon-fri 18-22, sat 10-14`" in err.value.message


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("mon-fri 18-22, sat 10-14", "mon-fri 18:00-22:00, sat 10:00-14:00"),
        ("daily 20-22", "daily 20:00-22:00"),
        ("sun 22-2", "mon 00:00-02:00, sun 22:00-24:00"),
        ("mon,wed 19:00-21:30", "mon,wed 19:00-21:30"),
        ("mon 10-12, 14-16, tue 9-10", "mon 10:00-12:00, 14:00-16:00, tue 09:00-10:00"),
        ("none", "none"),
    ],
)
def test_format_availability_round_trips(text: str, canonical: str) -> None:
    windows = parse_availability(text)
    assert format_availability(windows) == canonical
    assert parse_availability(canonical) == windows


def test_weekly_window_validation() -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklyWindow(7, time(10), time(11))
    with pytest.raises(ValueError, match="end after"):
        WeeklyWindow(0, time(11), time(10))
    with pytest.raises(ValueError, match="minute"):
        WeeklyWindow(0, time(10, 0, 30), time(11))
    whole_day = WeeklyWindow(0, time(0), time(0))
    assert whole_day.hours == 24


def test_overlap_between_lagos_and_london_follows_london_dst() -> None:
    evenings = parse_availability("mon-fri 18-22")
    winter = datetime(2026, 12, 2, tzinfo=UTC)
    summer = datetime(2026, 7, 1, tzinfo=UTC)
    # winter: Lagos 18-22 is 17-21 UTC, London 18-22 UTC -> 3 h a day
    assert weekly_overlap_hours(evenings, LAGOS, evenings, LONDON, reference=winter) == 15
    # summer: both UTC+1 -> the whole 4 h
    assert weekly_overlap_hours(evenings, LAGOS, evenings, LONDON, reference=summer) == 20
    assert weekly_overlap_hours(evenings, LAGOS, [], LONDON, reference=summer) == 0


def test_overlap_across_midnight_and_the_week_boundary() -> None:
    late = parse_availability("sun 22-2")  # Lagos: Sun 21:00 - Mon 01:00 UTC
    early = parse_availability("mon 0-1")  # UTC
    ref = datetime(2026, 11, 25, tzinfo=UTC)
    assert weekly_overlap_hours(late, LAGOS, early, ZoneInfo("UTC"), reference=ref) == 1
    assert weekly_hours(late, LAGOS, reference=ref) == 4


def test_weekly_hours_counts_real_time_over_a_dst_change() -> None:
    night = parse_availability("sun 0-3")
    assert weekly_hours(night, LONDON, reference=datetime(2026, 10, 22, tzinfo=UTC)) == 4
    assert weekly_hours(night, LONDON, reference=datetime(2027, 3, 24, tzinfo=UTC)) == 2
    assert weekly_hours(night, LONDON, reference=datetime(2026, 11, 4, tzinfo=UTC)) == 3


# --- properties ------------------------------------------------------------------------

ZONES = st.sampled_from(
    sorted(
        set(suggest_zones("", limit=50))
        | {
            "Australia/Lord_Howe",
            "America/Santiago",
            "Pacific/Chatham",
            "Asia/Kathmandu",
            "America/Havana",
            "Africa/Casablanca",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
            "America/St_Johns",
        }
    )
)
NOWS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2034, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@PROPS
@given(now=NOWS, ahead=st.integers(1, 365 * 86400), zone_name=ZONES)
def test_local_iso_round_trips(now: datetime, ahead: int, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    instant = now + timedelta(seconds=ahead)
    local = instant.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    first = local.replace(fold=0).astimezone(UTC)
    if first != instant and first <= now:  # second of two identical wall times, but the
        return  # first one is already past: nothing sensible to compare
    # ambiguous wall times read as their first occurrence
    assert parse_when(text, zone=zone, now=now) == first


def transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC hours at which ``zone`` changes its offset during ``year``."""
    hour = datetime(year, 1, 1, tzinfo=UTC)
    found = []
    while hour.year == year:
        if (
            hour.astimezone(zone).utcoffset()
            != (hour + timedelta(hours=1)).astimezone(zone).utcoffset()
        ):
            found.append(hour + timedelta(hours=1))
        hour += timedelta(hours=1)
    return found


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, ZoneInfo("Australia/Lord_Howe")], ids=str)
def test_local_iso_round_trips_around_every_change(zone: ZoneInfo) -> None:
    now = datetime(2026, 12, 31, tzinfo=UTC)
    changes = transitions(zone, 2027)
    assert len(changes) == 2
    for change in changes:
        for quarter in range(-12, 13):
            instant = change + timedelta(minutes=15 * quarter)
            local = instant.astimezone(zone)
            first = local.replace(fold=0).astimezone(UTC)
            text = local.strftime("%Y-%m-%d %H:%M:%S")
            assert parse_when(text, zone=zone, now=now) == first
            assert first == instant or local.fold == 1  # only a repeated wall time differs


@PROPS
@given(hours=st.integers(0, 200), minutes=st.integers(0, 59))
def test_durations_round_trip(hours: int, minutes: int) -> None:
    if hours == minutes == 0:
        return
    expected = timedelta(hours=hours, minutes=minutes)
    assert parse_duration(f"{hours}h{minutes}m") == expected
    assert parse_duration(format_duration(expected)) == expected


@PROPS
@given(seconds=st.integers(1, 60 * 86400))
def test_format_duration_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(timedelta(seconds=seconds))) == timedelta(seconds=seconds)


SPAN = st.tuples(st.integers(0, 6), st.integers(0, 24 * 4 - 1), st.integers(1, 24 * 4))


def windows_from(spans: list[tuple[int, int, int]]) -> list[WeeklyWindow]:
    """Quarter-hour spans (day, start, length) as availability text, parsed."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    parts = []
    for day, start, length in spans:
        end = min(start + length, 96)
        if end > start:
            s, e = start * 15, end * 15
            parts.append(f"{names[day]} {s // 60}:{s % 60:02d}-{e // 60}:{e % 60:02d}")
    return parse_availability(", ".join(parts)) if parts else []


def covered(windows: list[WeeklyWindow]) -> set[tuple[int, int]]:
    return {(x.weekday, m) for x in windows for m in range(x.start_minute, x.end_minute)}


@PROPS
@given(spans=st.lists(SPAN, max_size=8))
def test_availability_format_parse_round_trip(spans: list[tuple[int, int, int]]) -> None:
    windows = windows_from(spans)
    text = format_availability(windows)
    again = parse_availability(text)
    assert again == windows
    assert format_availability(again) == text
    # normalised: sorted, and no two windows of a day touch or overlap
    keys = [(x.weekday, x.start_minute) for x in windows]
    assert keys == sorted(keys)
    for x, y in itertools.pairwise(windows):
        if x.weekday == y.weekday:
            assert x.end_minute < y.start_minute
    assert len(covered(windows)) == sum(x.end_minute - x.start_minute for x in windows)


@PROPS
@given(
    a=st.lists(SPAN, max_size=6),
    b=st.lists(SPAN, max_size=6),
    zone_a=ZONES,
    zone_b=ZONES,
    reference=NOWS,
)
def test_overlap_is_symmetric_and_bounded(
    a: list[tuple[int, int, int]],
    b: list[tuple[int, int, int]],
    zone_a: str,
    zone_b: str,
    reference: datetime,
) -> None:
    wa, wb = windows_from(a), windows_from(b)
    za, zb = ZoneInfo(zone_a), ZoneInfo(zone_b)
    ab = weekly_overlap_hours(wa, za, wb, zb, reference=reference)
    ba = weekly_overlap_hours(wb, zb, wa, za, reference=reference)
    assert ab == ba
    assert 0 <= ab <= weekly_hours(wa, za, reference=reference) + 1e-9
    assert ab <= weekly_hours(wb, zb, reference=reference) + 1e-9
    # in a zone without DST the week holds exactly the nominal hours
    utc_zone = ZoneInfo("UTC")
    assert weekly_hours(wa, utc_zone, reference=reference) == pytest.approx(
        sum(x.hours for x in wa)
    )


@PROPS
@given(
    after=NOWS,
    weekday=st.integers(0, 6),
    at=st.times().map(lambda t: t.replace(microsecond=0)),
    zone_name=ZONES,
)
def test_next_weekly_occurrence_properties(
    after: datetime, weekday: int, at: time, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    result = next_weekly_occurrence(after, weekday=weekday, at=at, zone=zone)
    local = result.astimezone(zone)
    assert result > after
    assert result.tzinfo is UTC
    assert local.weekday() == weekday
    exists = datetime.combine(local.date(), at, tzinfo=zone)
    if exists.astimezone(UTC).astimezone(zone).time() == at:
        assert local.time() == at  # the wall time exists that day: we land on it
    assert result - after <= timedelta(days=7, hours=3)
    previous = datetime.combine(local.date() - timedelta(days=7), at, tzinfo=zone)
    assert previous.astimezone(UTC) <= after  # and no earlier occurrence was skipped


@PROPS
@given(instant=NOWS, days=st.integers(-400, 400), zone_name=ZONES)
def test_add_local_keeps_the_wall_clock_time(instant: datetime, days: int, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    start = instant.astimezone(zone).replace(fold=0)
    result = add_local(instant, timedelta(days=days), zone).astimezone(zone)
    target = datetime.combine(start.date() + timedelta(days=days), start.time(), tzinfo=zone)
    if target.astimezone(UTC).astimezone(zone).time() == start.time():  # that time exists
        assert (result.date(), result.time()) == (target.date(), target.time())


VOCABULARY = [
    "tomorrow",
    "today",
    "tonight",
    "next",
    "this",
    "friday",
    "mon",
    "sat",
    "dec",
    "3",
    "7pm",
    "18:00",
    "noon",
    "midnight",
    "in",
    "2",
    "hours",
    "1h30",
    "at",
    "on",
    "utc",
    "+01:00",
    "z",
    "Europe/London",
    "25/12",
    "2026-12-01",
    "9am",
    "evening",
    "ago",
    "last",
    "0",
    "99",
]


@PROPS
@given(
    words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=5),
    noise=st.text(max_size=12),
)
def test_parsers_only_ever_refuse_with_invalid_input(words: list[str], noise: str) -> None:
    for text in (" ".join(words), noise):
        try:
            result = parse_when(text, zone=LONDON, now=NOW)
        except InvalidInput as err:
            assert err.message
        else:
            assert result.tzinfo is UTC
            assert timedelta(0) < result - NOW <= MAX_AHEAD
        for parser in (parse_duration, parse_offsets, parse_availability, parse_weekly_schedule):
            try:
                parser(text)
            except InvalidInput as err:
                assert err.message


@pytest.mark.parametrize(
    "text", ["in 99999999999999999999 seconds", "99999999999999999999h", "in 9999999999 days"]
)
def test_absurd_lengths_are_refused_as_too_far_ahead(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"too far ahead\. Pick a time within the next 366"):
        when(text)


def test_absurd_durations_are_refused_as_too_long() -> None:
    with pytest.raises(InvalidInput, match="too long: at most 4 hours"):
        parse_duration("99999999999999999999", maximum=timedelta(hours=4))
