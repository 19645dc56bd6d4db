"""Study sessions: create, join (or wait), leave, edit, cancel, list, export.

Rules kept here:
* Times are typed in the user's zone; a session stores UTC seconds and its series'
  zone (the creator's), so a weekly 18:00 stays 18:00 local across DST.
* The host is going from the start without taking a place: they hold no RSVP (their
  Join is answered "you host it"), capacity counts the other attendees, and they are
  reminded and told of changes like any attendee.
* Capacity: joining when full puts the user on the waitlist; the decision is made
  inside one write transaction and a trigger refuses over-capacity, so two people
  pressing Join for the last place never both get it. A freed place goes to the first
  waiter (``Promotion``), whom the caller tells.
* Only the host or a mentor may edit or cancel. Cancelling an occurrence of a series
  ends the series (the next occurrence is only created when one starts).
* ``/privacy forget-me``: see ``forget.py``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.calendar_export import build_calendar, count_events
from bot.db import session_calendar
from bot.db import session_prefs as prefs
from bot.db import session_rsvps as rsvps
from bot.db import sessions as repo
from bot.db.database import Connection, Database
from bot.db.session_rsvps import Roster, Rsvp
from bot.db.sessions import Session, SessionSummary
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound
from bot.scheduling import Scheduler
from bot.services.access import Actor
from bot.services.guild_settings import GuildSettingsService
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.services.sessions.cards import SessionCards
from bot.services.sessions.forget import SessionForgetting, promotions, settle_hosts
from bot.services.sessions.rules import (
    DURATION_DEFAULT,
    REPEAT_SLACK,
    EditResult,
    JoinResult,
    LeaveResult,
    ReminderSetup,
    RosterChanges,
    already_scheduled,
    check_capacity,
    check_description,
    check_duration,
    check_mode,
    check_reason,
    check_repeat,
    check_title,
    check_topic,
    offsets_ahead,
    pending_changes,
    require_manager,
    with_host,
)
from bot.services.sessions.timeline import SessionTimeline
from bot.time.clock import Clock, epoch
from bot.time.timeparse import parse_when

log = logging.getLogger(__name__)


class SessionService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        preferences: PreferencesService,
        guilds: GuildSettingsService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._preferences = preferences
        self._guilds = guilds
        self.timeline = SessionTimeline(db, clock, scheduler)
        self.cards = SessionCards(db)
        self._forgetting = SessionForgetting()

    # -- reading ------------------------------------------------------------------------

    async def get(
        self, session_id: int, guild_id: int | None, conn: Connection | None = None
    ) -> Session:
        session = await repo.get(conn or self._db.reader, session_id)
        if session is None or session.guild_id != guild_id:
            raise NotFound(
                f"There is no session #{session_id} in this server. "
                "`/session list` shows the upcoming ones."
            )
        return session

    async def find(self, session_id: int) -> Session | None:
        return await repo.get(self._db.reader, session_id)

    async def roster(self, session_id: int) -> Roster:
        return await rsvps.roster(self._db.reader, session_id)

    async def concerned(self, session: Session, *, but: int | None = None) -> list[int]:
        """Everyone a change to the session concerns: its host, attendees and waiters
        (``but`` the one who made it)."""
        roster = await self.roster(session.id)
        people = with_host(session, roster.going + roster.waitlist)
        return [uid for uid in people if uid != but]

    async def upcoming(
        self, guild_id: int, *, user_id: int | None = None, limit: int = 10, offset: int = 0
    ) -> tuple[list[SessionSummary], int]:
        """A page of open sessions, soonest first (only the user's when ``user_id``),
        and how many there are in all."""
        if user_id is None:
            page, total = await repo.upcoming(self._db.reader, guild_id, limit=limit, offset=offset)
            return page, total or await repo.count_upcoming(self._db.reader, guild_id)
        page = await repo.joined(self._db.reader, guild_id, user_id, limit=limit, offset=offset)
        return page, await repo.count_joined(self._db.reader, guild_id, user_id)

    async def suggest(self, guild_id: int, text: str, limit: int = 25) -> list[Session]:
        return await repo.search_open(self._db.reader, guild_id, text, limit=limit)

    async def needing_mirror(self, guild_id: int) -> list[Session]:
        return await repo.needing_mirror(self._db.reader, guild_id, epoch(self._clock.now()))

    async def next_in_series(self, session_id: int) -> Session | None:
        return await repo.next_of(self._db.reader, session_id)

    # -- creating -----------------------------------------------------------------------

    async def create(
        self,
        *,
        guild_id: int,
        host_id: int,
        title: str,
        when: str,
        duration: int | None = None,
        topic: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
        repeat: str = "none",
        voice_channel_id: int | None = None,
    ) -> Session:
        title = check_title(title)
        values = {
            "title": title,
            "topic": check_topic(topic),
            "description": check_description(description),
            "duration_min": check_duration(DURATION_DEFAULT if duration is None else duration),
            "capacity": check_capacity(capacity),
            "repeat": check_repeat(repeat),
        }
        zone = (await self._preferences.effective_zone(host_id, guild_id)).zone
        now = self._clock.now()
        start = parse_when(when, zone=zone, now=now)
        values |= {
            "guild_id": guild_id,
            "host_id": host_id,
            "starts_at": epoch(start),
            "zone": zone.key,
            "voice_channel_id": voice_channel_id,
            "created_at": epoch(now),
            "updated_at": epoch(now),
        }
        async with self._db.transaction() as tx:
            # A retry of a create whose answer was lost (a crash, a timeout) finds the
            # session it made instead of making a second one.
            earlier = await repo.same_as(
                tx, guild_id, host_id, title, epoch(start), int(REPEAT_SLACK.total_seconds())
            )
            if earlier is not None:
                raise AlreadyDone(already_scheduled(earlier))
            session = await repo.insert(tx, values)
            await self.timeline.book(tx, session)
        log.info("session %s created in guild %s by %s", session.id, guild_id, host_id)
        return session

    async def discard(self, session_id: int) -> None:
        """Remove a session whose card could not be posted (its timers go with it)."""
        async with self._db.transaction() as tx:
            await self.timeline.drop(tx, session_id)
            await repo.delete(tx, session_id)

    async def attach_card(
        self, session_id: int, *, channel_id: int, message_id: int, thread_id: int | None
    ) -> Session:
        return await self._set(
            session_id, {"channel_id": channel_id, "message_id": message_id, "thread_id": thread_id}
        )

    async def attach_event(self, session_id: int, event_id: int | None) -> Session:
        return await self._set(session_id, {"event_id": event_id})

    async def _set(self, session_id: int, values: dict[str, int | None]) -> Session:
        async with self._db.transaction() as tx:
            session = await repo.update(tx, session_id, values)
        if session is None:
            raise NotFound(f"Session #{session_id} is gone.")
        return session

    # -- RSVPs ----------------------------------------------------------------------------

    async def join(self, session_id: int, guild_id: int | None, user_id: int) -> JoinResult:
        """Take a place, or a place in line when full; the host is going already. One
        transaction reads, decides and reads what the answer says: no hop to a reader."""
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            session = self._usable(await self.get(session_id, guild_id, tx), "join")
            existing = await rsvps.get(tx, session_id, user_id)
            if session.host_id == user_id:
                status, place, already = "host", None, True
            elif existing is not None:
                status, place, already = existing.status, await self._line(tx, existing), True
            else:
                going = await rsvps.count_going(tx, session_id)
                full = session.capacity is not None and going >= session.capacity
                status = "waitlist" if full else "going"
                await rsvps.add(tx, session_id, user_id, status, now)
                place = await rsvps.count_waiting(tx, session_id) if full else None
                already = False
            reminders = await self.reminder_setup(session, user_id, tx)
        return JoinResult(session, status, place, already=already, reminders=reminders)

    async def reminder_setup(
        self, session: Session, user_id: int, conn: Connection | None = None
    ) -> ReminderSetup:
        """When (the server's offsets still ahead) and how the user is reminded."""
        offsets = await self.timeline.offsets(session.guild_id, conn)
        ahead = offsets_ahead(session.start, offsets, self._clock.now())
        mode = await prefs.get_mode(conn or self._db.reader, user_id) or "channel"
        return ReminderSetup(ahead, mode, server_off=not offsets)

    async def _line(self, conn: Connection, rsvp: Rsvp) -> int | None:
        if rsvp.status == "going":
            return None
        return await rsvps.waitlist_place(conn, rsvp.session_id, rsvp.position)

    async def leave(self, session_id: int, guild_id: int | None, user_id: int) -> LeaveResult:
        async with self._db.transaction() as tx:
            session = self._usable(await self.get(session_id, guild_id, tx), "leave")
            if session.host_id == user_id:
                raise Conflict(
                    f"You host session #{session_id}, so you're going whatever happens. "
                    "To call it off, use `/session cancel`."
                )
            removed = await rsvps.remove(tx, session_id, user_id)
            if removed is None:
                raise Conflict(
                    f"You are not on session #{session_id}, so there is nothing to leave."
                )
            promoted: list[Rsvp] = []
            if removed.status == "going":
                promoted = await rsvps.promote_waiters(tx, session_id, session.capacity)
        return LeaveResult(session, removed.status, promotions(promoted))

    async def _open(self, conn: Connection, session_id: int, action: str) -> Session:
        session = await repo.get(conn, session_id)
        if session is None:
            raise NotFound(f"Session #{session_id} is gone.")
        return self._usable(session, action)

    def _usable(self, session: Session, action: str) -> Session:
        session_id = session.id
        if session.status == "cancelled":
            raise Conflict(f"Session #{session_id} was cancelled, so you can't {action} it.")
        if session.status == "ended":
            raise Conflict(f"Session #{session_id} is over, so you can't {action} it.")
        return session

    # -- editing and cancelling -----------------------------------------------------------

    async def edit(
        self,
        session_id: int,
        guild_id: int | None,
        *,
        actor: Actor,
        title: str | None = None,
        when: str | None = None,
        duration: int | None = None,
        description: str | None = None,
        capacity: int | None = None,
    ) -> EditResult:
        session = await self.get(session_id, guild_id)
        settings = await self._guilds.get(session.guild_id)
        require_manager(session, actor, settings, action="edit")
        if all(v is None for v in (title, when, duration, description, capacity)):
            raise InvalidInput(
                "Tell me what to change: `title`, `when`, `duration`, `description` or `capacity`."
            )
        wanted: dict[str, object] = {}
        if title is not None:
            wanted["title"] = check_title(title)
        if description is not None:
            wanted["description"] = check_description(description)
        if duration is not None:
            wanted["duration_min"] = check_duration(duration)
        if capacity is not None:
            wanted["capacity"] = check_capacity(capacity)
        if when is not None:
            zone = (await self._preferences.effective_zone(actor.user_id, guild_id)).zone
            wanted["starts_at"] = epoch(parse_when(when, zone=zone, now=self._clock.now()))
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            current = await self._open(tx, session_id, "edit")
            if "starts_at" in wanted and current.status != "scheduled":
                raise Conflict(f"Session #{session_id} already started; its time can't move now.")
            changes = pending_changes(current, wanted)
            if not changes:
                raise AlreadyDone(
                    "That is what the session already says; nothing changed.",
                    title="Nothing changed",
                )
            values = {c.column: c.value for c in changes}
            values |= {"sequence": current.sequence + 1, "updated_at": now}
            updated = await repo.update(tx, session_id, values)
            if updated is None:  # pragma: no cover - the row was read in this transaction
                raise NotFound(f"Session #{session_id} is gone.")
            promoted: list[Rsvp] = []
            if "capacity" in values:
                promoted = await rsvps.promote_waiters(tx, session_id, updated.capacity)
            if "starts_at" in values or "duration_min" in values:
                await self.timeline.rebook(tx, updated)
        return EditResult(updated, [c.change for c in changes], promotions(promoted))

    async def cancel(
        self,
        session_id: int,
        guild_id: int | None,
        *,
        actor: Actor,
        reason: str | None = None,
    ) -> Session:
        session = await self.get(session_id, guild_id)
        settings = await self._guilds.get(session.guild_id)
        require_manager(session, actor, settings, action="cancel")
        reason = check_reason(reason)
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            current = await self._open(tx, session_id, "cancel")
            if current.status == "live":
                raise Conflict(
                    f"Session #{session_id} is under way; it ends by itself at its end time."
                )
            values = {
                "status": "cancelled",
                "cancel_reason": reason,
                "sequence": current.sequence + 1,
                "updated_at": now,
            }
            cancelled = await repo.update(tx, session_id, values)
            await self.timeline.drop(tx, session_id)
        if cancelled is None:  # pragma: no cover - the row was read in this transaction
            raise NotFound(f"Session #{session_id} is gone.")
        log.info("session %s cancelled by %s", session_id, actor.user_id)
        return cancelled

    # -- preferences ----------------------------------------------------------------------

    async def set_notify(self, user_id: int, mode: str) -> str:
        mode = check_mode(mode)
        async with self._db.transaction() as tx:
            await prefs.set_mode(tx, user_id, mode, epoch(self._clock.now()))
        return mode

    async def notify_mode(self, user_id: int) -> str:
        return await prefs.get_mode(self._db.reader, user_id) or "channel"

    async def set_offsets(self, guild_id: int, text: str) -> list[timedelta]:
        return await self.timeline.set_offsets(guild_id, text)

    # -- export ---------------------------------------------------------------------------

    async def export(self, guild_id: int, user_id: int) -> tuple[bytes, int]:
        """An iCalendar file of the user's sessions that have not ended (hosted or
        RSVPed, cancelled ones marked so; a series once), and how many events it holds."""
        now = self._clock.now()
        items = await session_calendar.for_export(self._db.reader, guild_id, user_id, epoch(now))
        return build_calendar(items, now=now), count_events(items)

    # -- keeping rosters right ------------------------------------------------------------

    async def settle_hosts(self, guild_id: int) -> RosterChanges:
        """Drop the RSVPs hosts hold for their own open sessions (see ``forget.py``)."""
        async with self._db.transaction() as tx:
            return await settle_hosts(tx, guild_id)

    # -- privacy --------------------------------------------------------------------------

    def register_privacy(self, privacy: PrivacyService) -> None:
        self._forgetting.register(privacy)

    def take_forget_effects(self, user_id: int) -> RosterChanges:
        """What the last forget-me of ``user_id`` changed (cards to refresh, waiters to
        tell), once."""
        return self._forgetting.take(user_id)
