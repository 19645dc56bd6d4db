"""Personal reminders: ``/remind me``, ``/remind list``, ``/remind cancel``."""

from __future__ import annotations

from datetime import timedelta

from bot.db import reminders as repo
from bot.db.database import Database
from bot.db.reminders import Reminder
from bot.errors import Conflict, NotFound
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
            if await repo.count_pending(tx, user_id) >= MAX_PENDING:
                raise Conflict(
                    f"You already have {MAX_PENDING} pending reminders, the most allowed. "
                    "Cancel one with `/remind cancel` first."
                )
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

    async def cancel(self, user_id: int, reminder_id: int) -> Reminder:
        reminder = await repo.get(self._db.reader, reminder_id)
        async with self._db.transaction() as tx:
            deleted = reminder is not None and await repo.delete_pending(tx, user_id, reminder_id)
        if reminder is None or not deleted:
            raise NotFound(
                f"You have no pending reminder #{reminder_id}. `/remind list` shows yours."
            )
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
