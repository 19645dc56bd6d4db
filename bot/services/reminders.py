"""Personal reminders: ``/remind me``, ``/remind list``, ``/remind cancel``, and the
delivered reminder's **Snooze** and **Done**. Each person's reminders are numbered 1,
2, 3 … on their own; the buttons carry the row id, and only the owner may press them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.db import reminders as repo
from bot.db.database import Connection, Database
from bot.db.reminders import Reminder
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.scheduling import Scheduler
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.time.clock import Clock, epoch
from bot.time.timeparse import parse_when
from bot.ui.limits import require_text

KIND = "reminder"
PRIVACY_OWNER = "remind"
MAX_PENDING = 25
MAX_TEXT = 1500
# A reminder delivered later than this (the bot was down) says so.
LATE_AFTER = timedelta(minutes=1)
SNOOZES = (timedelta(minutes=10), timedelta(hours=1))  # the buttons' choices
GONE = "This reminder no longer exists: it was cancelled, or its data was deleted."
NOT_YOURS = "Only the person who set this reminder can snooze it or mark it done."


@dataclass(frozen=True)
class Outcome:
    """What a button did: the reminder as it is now, and whether the press changed it
    (a second press on a stale copy of the message changes nothing)."""

    reminder: Reminder
    changed: bool


class ReminderService:
    def __init__(
        self, db: Database, clock: Clock, scheduler: Scheduler, preferences: PreferencesService
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._preferences = preferences

    async def create(
        self, *, user_id: int, guild_id: int | None, channel_id: int, when: str, what: str
    ) -> Reminder:
        text = require_text("reminder text", what, MAX_TEXT)
        zone = (await self._preferences.effective_zone(user_id, guild_id)).zone
        now = self._clock.now()
        due = parse_when(when, zone=zone, now=now)
        async with self._db.transaction() as tx:
            await _require_room(tx, user_id)
            reminder = await repo.insert(
                tx,
                user_id=user_id,
                guild_id=guild_id,
                channel_id=channel_id,
                text=text,
                due_at=epoch(due),
                now=epoch(now),
            )
            await self._scheduler.schedule(
                KIND, due, guild_id=guild_id, subject_id=reminder.id, user_id=user_id, conn=tx
            )
        return reminder

    async def pending(self, user_id: int) -> list[Reminder]:
        return await repo.pending_for(self._db.reader, user_id)

    async def cancel(self, user_id: int, number: int) -> Reminder:
        """Drop the user's pending reminder ``number`` (their own numbering)."""
        async with self._db.transaction() as tx:
            reminder = await repo.delete_pending(tx, user_id, number)
        if reminder is None:
            raise NotFound(f"You have no pending reminder #{number}. `/remind list` shows yours.")
        return reminder

    async def snooze(self, user_id: int, reminder_id: int, delay: timedelta) -> Outcome:
        """Deliver it again ``delay`` from now: a new timer (so a new nonce: the second
        delivery is a new message, not the first one returned)."""
        if delay not in SNOOZES:
            raise ValueError(f"no snooze of {delay}")
        async with self._db.transaction() as tx:
            reminder = await self._owned(tx, user_id, reminder_id)
            if await repo.is_pending(tx, reminder.id):
                return Outcome(reminder, changed=False)
            if reminder.done_at is not None:
                raise Conflict("This reminder is done. Set a new one with `/remind me`.")
            await _require_room(tx, user_id)
            due = self._clock.now() + delay
            reminder = await repo.move(tx, reminder.id, epoch(due))
            await self._scheduler.schedule(
                KIND,
                due,
                guild_id=reminder.guild_id,
                subject_id=reminder.id,
                user_id=user_id,
                conn=tx,
            )
        return Outcome(reminder, changed=True)

    async def done(self, user_id: int, reminder_id: int) -> Outcome:
        """Mark it done; a snoozed delivery still to come is dropped."""
        async with self._db.transaction() as tx:
            reminder = await self._owned(tx, user_id, reminder_id)
            marked = await repo.mark_done(tx, reminder.id, epoch(self._clock.now()))
            if marked is None:
                return Outcome(reminder, changed=False)
            await self._scheduler.cancel_subject(KIND, reminder.id, conn=tx)
        return Outcome(marked, changed=True)

    async def _owned(self, conn: Connection, user_id: int, reminder_id: int) -> Reminder:
        reminder = await repo.get(conn, reminder_id)
        if reminder is None:
            raise NotFound(GONE)
        if reminder.user_id != user_id:
            raise PermissionDenied(NOT_YOURS)
        return reminder

    async def get(self, reminder_id: int) -> Reminder | None:
        return await repo.get(self._db.reader, reminder_id)

    def register_privacy(self, privacy: PrivacyService) -> None:
        """A user's reminders, for forget-me (deleting one cancels its timer: a trigger
        in the schema)."""
        privacy.register_rows(PRIVACY_OWNER, "reminders", "reminders", "user_id")
        privacy.register_reference(PRIVACY_OWNER, "timers", "user_id")

    def is_late(self, reminder: Reminder) -> bool:
        """Delivered noticeably after its time, so the message should say so."""
        return self._clock.now() - reminder.due > LATE_AFTER


async def _require_room(conn: Connection, user_id: int) -> None:
    if await repo.count_pending(conn, user_id) >= MAX_PENDING:
        raise Conflict(
            f"You already have {MAX_PENDING} pending reminders, the most allowed. "
            "Cancel one with `/remind cancel` first."
        )
