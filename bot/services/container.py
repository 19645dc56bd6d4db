"""Every service, built once from the database and the clock, and handed to the bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.db.database import Database
from bot.scheduling import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.services.qa import QAService
from bot.services.reminders import ReminderService
from bot.services.sessions import SessionService
from bot.time.clock import Clock, SystemClock


@dataclass
class Services:
    clock: Clock
    scheduler: Scheduler
    guilds: GuildSettingsService
    preferences: PreferencesService
    privacy: PrivacyService
    reminders: ReminderService
    sessions: SessionService
    qa: QAService


def build_services(
    db: Database,
    clock: Clock | None = None,
    *,
    is_transient: Callable[[BaseException], bool] = lambda _: False,
    timer_wakeups: bool = True,
) -> Services:
    clock = clock or SystemClock()
    scheduler = Scheduler(db, clock, is_transient=is_transient, wake=timer_wakeups)
    guilds = GuildSettingsService(db, clock)
    preferences = PreferencesService(db, clock, guilds)
    privacy = PrivacyService(db)
    privacy.register_rows("your timezone and preferences", "user_settings", "user_id")
    reminders = ReminderService(db, clock, scheduler, preferences)
    # Deleting a reminder cancels its timer (a trigger in the schema).
    privacy.register_rows("reminders", "reminders", "user_id")
    sessions = SessionService(db, clock, scheduler, preferences)
    sessions.register_privacy(privacy)
    qa = QAService(db, clock, scheduler, guilds)
    qa.register_privacy(privacy)
    return Services(
        clock=clock,
        scheduler=scheduler,
        guilds=guilds,
        preferences=preferences,
        privacy=privacy,
        reminders=reminders,
        sessions=sessions,
        qa=qa,
    )
