"""iCalendar (RFC 5545) export of study sessions, for Google Calendar, Outlook, Apple.

Each session is one VEVENT with a stable ``UID`` (``session-<id>@nexus``), so importing
a newer file updates the events instead of duplicating them; ``SEQUENCE`` counts the
session's edits and a cancelled session says ``STATUS:CANCELLED``. Times are written
in the session's own zone (``DTSTART;TZID=…``) with a VTIMEZONE for each zone used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from icalendar.enums import STATUS

from bot.db.sessions import Session

PRODID = "-//Nexus//Study sessions//EN"
UID_DOMAIN = "nexus"


def session_uid(session_id: int) -> str:
    return f"session-{session_id}@{UID_DOMAIN}"


def _event(session: Session, now: datetime) -> icalendar.Event:
    zone = ZoneInfo(session.zone)
    url = session.card_url
    details = [part for part in (session.topic and f"Topic: {session.topic}",) if part]
    if session.description:
        details.append(session.description)
    if session.cancel_reason:
        details.append(f"Cancelled: {session.cancel_reason}")
    if url:
        details.append(f"Card and thread: {url}")
    return icalendar.Event.new(
        uid=session_uid(session.id),
        summary=session.title,
        start=session.start.astimezone(zone),
        end=session.end.astimezone(zone),
        stamp=now,
        sequence=session.sequence,
        status=STATUS.CANCELLED if session.status == "cancelled" else STATUS.CONFIRMED,
        description="\n\n".join(details) or None,
        url=url,
        location=url,
    )


def build_calendar(sessions: Sequence[Session], *, now: datetime) -> bytes:
    """A complete VCALENDAR of ``sessions`` (possibly none)."""
    calendar = icalendar.Calendar.new(prodid=PRODID, method="PUBLISH", name="Nexus study sessions")
    for session in sessions:
        calendar.add_component(_event(session, now))
    if sessions:
        # The VTIMEZONE rules only need to cover the sessions (and a margin), not 1970.
        first = min(s.start for s in sessions).date() - timedelta(days=366)
        last = max(s.end for s in sessions).date() + timedelta(days=366)
        calendar.add_missing_timezones(
            first_date=first, last_date=max(last, date(first.year + 2, 1, 1))
        )
    data: bytes = calendar.to_ical()
    return data
