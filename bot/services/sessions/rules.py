"""Study sessions: the limits, the results services hand back, and input checks.

No ``discord`` import: cogs render these values, services decide them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.guild_settings import GuildSettings
from bot.db.sessions import Session
from bot.errors import InvalidInput, PermissionDenied
from bot.services.access import Actor, may_manage
from bot.ui import limits, markup

KIND_REMINDER = "session_reminder"
KIND_START = "session_start"
KIND_END = "session_end"
KINDS = (KIND_REMINDER, KIND_START, KIND_END)

DEFAULT_OFFSETS = (timedelta(days=1), timedelta(minutes=15))
MAX_OFFSETS = 5
MAX_OFFSET = timedelta(days=7)

# The title names the card's thread and the scheduled event (100 each); the
# description becomes the event's (1,000).
TITLE_MAX = min(limits.THREAD_NAME, limits.EVENT_NAME)
TOPIC_MAX = 100
DESCRIPTION_MAX = limits.EVENT_DESCRIPTION
REASON_MAX = 500
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 5, 720, 60
CAPACITY_MAX = 500
REPEATS = ("none", "daily", "weekly")
NOTIFY_MODES = ("channel", "dm", "off")
# A host's create with the title and start (give or take this) of one of theirs is a
# retry of it, not a second session.
REPEAT_SLACK = timedelta(minutes=10)
REPEAT_STEP = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


@dataclass(frozen=True)
class Promotion:
    """A waiter who just got a place (``rsvp_id`` makes the notice's nonce unique)."""

    session_id: int
    user_id: int
    rsvp_id: int


@dataclass(frozen=True)
class ReminderSetup:
    """How one person hears before one session."""

    offsets: list[timedelta]  # still ahead of its start, earliest reminder first
    mode: str  # "channel", "dm" or "off"
    server_off: bool  # the server sends no session reminders at all


@dataclass(frozen=True)
class JoinResult:
    session: Session
    status: str  # "going", "waitlist", or "host" (going without taking a place)
    place_in_line: int | None  # 1 = next to get a place; None when going
    already: bool
    reminders: ReminderSetup


@dataclass(frozen=True)
class LeaveResult:
    session: Session
    was: str  # "going" or "waitlist"
    promoted: list[Promotion]


@dataclass(frozen=True)
class Change:
    """One edited field; ``before``/``after`` are plain values (times as datetimes)."""

    field: str  # "title", "when", "duration", "description", "capacity"
    before: str | int | datetime | None
    after: str | int | datetime | None


@dataclass(frozen=True)
class EditResult:
    session: Session
    changes: list[Change]
    promoted: list[Promotion]


@dataclass(frozen=True)
class Audience:
    """Who hears about a session, split by how they chose to hear."""

    mention: list[int]  # mentioned in the session's thread
    dm: list[int]  # sent a DM (falling back to a mention when DMs are closed)


@dataclass(frozen=True)
class ReminderPlan:
    session: Session
    offset: timedelta
    audience: Audience


@dataclass(frozen=True)
class StartResult:
    session: Session
    next: Session | None  # the series' next occurrence, when it repeats


@dataclass(frozen=True)
class RosterChanges:
    """Rosters changed behind the cards' back (``/privacy forget-me``, a host's own
    RSVP settled at start): the cards to refresh and the waiters to tell."""

    session_ids: set[int]
    promoted: list[Promotion]


def offsets_ahead(start: datetime, offsets: list[timedelta], now: datetime) -> list[timedelta]:
    """The reminder offsets still ahead of ``start`` (none "a day before" an hour
    before), earliest reminder first."""
    return sorted((o for o in offsets if start - o > now), reverse=True)


def with_host(session: Session, user_ids: list[int]) -> list[int]:
    """The host (going from the start, without an RSVP) and then ``user_ids``."""
    if session.host_id is None:
        return list(user_ids)
    return [session.host_id, *(uid for uid in user_ids if uid != session.host_id)]


def already_scheduled(session: Session) -> str:
    """The answer to creating a session its host already created."""
    text = (
        f"You already scheduled **{session.title}** for {markup.timestamp(session.start)}"
        f" (session #{session.id}), so nothing new was created."
    )
    return f"{text}\n{session.card_url}" if session.card_url else text


def check_title(value: str) -> str:
    return limits.require_text("title", value, TITLE_MAX)


def check_topic(value: str | None) -> str | None:
    return limits.require_text("topic", value, TOPIC_MAX, required=False) or None


def check_description(value: str | None) -> str | None:
    return limits.require_text("description", value, DESCRIPTION_MAX, required=False) or None


def check_reason(value: str | None) -> str | None:
    return limits.require_text("reason", value, REASON_MAX, required=False) or None


def check_duration(minutes: int) -> int:
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise InvalidInput(
            f"A session lasts {DURATION_MIN} to {DURATION_MAX} minutes (12 hours); "
            f"{minutes} is outside that."
        )
    return minutes


def check_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if capacity <= 0:
        raise InvalidInput(
            f"A capacity of {capacity} leaves no places. Give 1 to {CAPACITY_MAX}, "
            "or leave `capacity` out for no limit."
        )
    if capacity > CAPACITY_MAX:
        raise InvalidInput(
            f"The capacity is at most {CAPACITY_MAX}; leave `capacity` out for no limit."
        )
    return capacity


def check_repeat(repeat: str) -> str:
    if repeat not in REPEATS:
        raise InvalidInput("`repeat` is `none`, `daily` or `weekly`.")
    return repeat


def check_mode(mode: str) -> str:
    if mode not in NOTIFY_MODES:
        raise InvalidInput("`mode` is `channel`, `dm` or `off`.")
    return mode


def require_manager(
    session: Session, actor: Actor, settings: GuildSettings | None, *, action: str
) -> None:
    """Only the host or a mentor may edit or cancel a session."""
    if may_manage(actor, session.host_id, settings):
        return
    raise PermissionDenied(
        f"Only the session's host or a mentor can {action} session #{session.id}. "
        "Ask them, or join the session's thread to suggest it."
    )


class PendingChange:
    """A wanted change that differs from the stored value."""

    def __init__(self, column: str, value: object, change: Change) -> None:
        self.column, self.value, self.change = column, value, change


def pending_changes(current: Session, wanted: dict[str, object]) -> list[PendingChange]:
    found: list[PendingChange] = []
    names = {"starts_at": "when", "duration_min": "duration"}
    for column, value in wanted.items():
        before = getattr(current, column)
        if before == value:
            continue
        field = names.get(column, column)
        if column == "starts_at" and isinstance(value, int):
            after = current.start + timedelta(seconds=value - current.starts_at)
            change = Change(field, current.start, after)
        else:
            change = Change(field, before, value)  # type: ignore[arg-type]
        found.append(PendingChange(column, value, change))
    return found
