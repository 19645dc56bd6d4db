"""Sessions for calendars: an iCalendar (RFC 5545) export for Google Calendar, Outlook
and Apple, and the **Add to Google Calendar** link of a card.

Each session is one VEVENT with a stable ``UID`` (``session-<id>@nexus``), so importing
a newer file updates the events instead of duplicating them; ``SEQUENCE`` counts the
session's edits and a cancelled session says ``STATUS:CANCELLED``. Times are written
in the session's own zone (``DTSTART;TZID=…``) with a VTIMEZONE for each zone used.

A repeating session carries its ``RRULE`` (``FREQ=DAILY`` or ``FREQ=WEEKLY``), which a
calendar expands in that zone, so 18:00 stays 18:00 across DST. Its VEVENT stands for
the whole series: the UID is its first occurrence's, and ``SEQUENCE`` adds up the
series' edits plus one per occurrence since, so the export made after the next
occurrence is created updates the series instead of adding a second one. Only the
earliest occurrence of a series in the file is written: the rule covers the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import icalendar
from icalendar.enums import STATUS

from bot.db.sessions import Exported, Session
from bot.ui import limits, markup

PRODID = "-//Nexus//Study sessions//EN"
UID_DOMAIN = "nexus"
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
LINK_URL_MAX = 512  # Discord's limit for a link button's url
FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY"}


def session_uid(session_id: int) -> str:
    return f"session-{session_id}@{UID_DOMAIN}"


def rrule(session: Session) -> str | None:
    """The series' rule (``FREQ=WEEKLY``), or None for a session that does not repeat."""
    frequency = FREQUENCIES.get(session.repeat)
    return None if frequency is None else f"FREQ={frequency}"


def _details(session: Session) -> list[str]:
    details = [f"Topic: {session.topic}"] if session.topic else []
    if session.description:
        details.append(session.description)
    if session.cancel_reason:
        details.append(f"Cancelled: {session.cancel_reason}")
    return details


def _event(item: Exported, now: datetime) -> icalendar.Event:
    session = item.session
    zone = ZoneInfo(session.zone)
    url = session.card_url
    details = _details(session)
    if url:
        details.append(f"Card and thread: {url}")
    event = icalendar.Event.new(
        uid=session_uid(item.series_id),
        summary=session.title,
        start=session.start.astimezone(zone),
        end=session.end.astimezone(zone),
        stamp=now,
        sequence=item.series_sequence,
        status=STATUS.CANCELLED if session.status == "cancelled" else STATUS.CONFIRMED,
        description="\n\n".join(details) or None,
        url=url,
        location=url,
    )
    rule = rrule(session)
    if rule is not None:
        event.add("rrule", icalendar.vRecur.from_ical(rule))
    return event


def _one_per_series(items: Sequence[Exported]) -> list[Exported]:
    """The earliest occurrence of each series (``items`` come soonest first)."""
    seen: set[int] = set()
    kept = []
    for item in items:
        if item.series_id not in seen:
            seen.add(item.series_id)
            kept.append(item)
    return kept


def build_calendar(items: Sequence[Exported], *, now: datetime) -> bytes:
    """A complete VCALENDAR of these sessions (possibly none)."""
    calendar = icalendar.Calendar.new(prodid=PRODID, method="PUBLISH", name="Nexus study sessions")
    kept = _one_per_series(items)
    for item in kept:
        calendar.add_component(_event(item, now))
    if kept:
        # The VTIMEZONE rules only need to cover the sessions (and a margin), not 1970.
        first = min(i.session.start for i in kept).date() - timedelta(days=366)
        last = max(i.session.end for i in kept).date() + timedelta(days=366)
        calendar.add_missing_timezones(
            first_date=first, last_date=max(last, date(first.year + 2, 1, 1))
        )
    data: bytes = calendar.to_ical()
    return data


def count_events(items: Sequence[Exported]) -> int:
    """How many events ``build_calendar`` writes for ``items``."""
    return len(_one_per_series(items))


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _url(params: dict[str, str]) -> str:
    return f"{GOOGLE_CALENDAR}?{urlencode(params, safe='/:', quote_via=quote)}"


def _fit(text: str, over: int) -> str:
    """``text`` shortened by enough to save ``over`` URL characters (an encoded letter
    takes up to 9), ending on a word; empty when little would be left."""
    keep = len(text) - max(1, over // 9)
    return limits.shorten(text, keep) if keep > 2 else ""


def google_calendar_url(session: Session, *, limit: int = LINK_URL_MAX) -> str:
    """A link that opens Google Calendar's new-event page filled in with the session
    (its rule too, when it repeats), at most ``limit`` characters long to fit a Discord
    link button: the description is shortened first, then the card link dropped, then
    the title shortened."""
    where = session.card_url or ""
    if session.voice_channel_id:
        where = markup.jump_url(session.guild_id, session.voice_channel_id)
    elif session.thread_id:
        where = markup.jump_url(session.guild_id, session.thread_id)
    title = session.title
    about = "\n\n".join(_details(session))
    link = f"Card and thread: {session.card_url}" if session.card_url else ""
    rule = rrule(session)
    while True:
        params = {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{_utc(session.start)}/{_utc(session.end)}",
            "details": "\n\n".join(part for part in (about, link) if part),
            "location": where,
            "ctz": session.zone,
        }
        if rule is not None:
            params["recur"] = f"RRULE:{rule}"
        url = _url({key: value for key, value in params.items() if value})
        over = len(url) - limit
        if over <= 0:
            return url
        if about:
            about = _fit(about, over)
        elif link:
            link = ""
        elif len(title) > 2:
            title = _fit(title, over) or title[0]
        else:  # pragma: no cover - a one-letter title and the rest fit in far less
            return url
