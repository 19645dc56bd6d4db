"""Every service, built from the database and the clock, and handed to the bot.

The core (scheduler, server settings, preferences, privacy, Discord write intents) is
built at once; each feature's service is one line below, built on first use. Adding a
feature adds one line here and its folder under ``cogs/``; nothing else is listed
anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from bot.db.database import Database
from bot.scheduling import Scheduler
from bot.services.announcements.digest import DigestService
from bot.services.announcements.service import AnnouncementService
from bot.services.guild_settings import GuildSettingsService
from bot.services.intents import IntentService
from bot.services.pairing.service import PairingService
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.services.qa.service import QAService
from bot.services.reminders import ReminderService
from bot.services.sessions.service import SessionService
from bot.services.web.archive import ArchiveService
from bot.services.web.feeds import FeedService
from bot.services.web.publishing import WebService
from bot.sharding import Shards
from bot.time.clock import Clock, SystemClock

T = TypeVar("T")


class Feature(Generic[T]):
    """A feature's service: built from the core on first use, then kept."""

    def __init__(self, build: Callable[[Services], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, services: None, owner: type) -> Feature[T]: ...
    @overload
    def __get__(self, services: Services, owner: type) -> T: ...
    def __get__(self, services: Services | None, owner: type) -> Feature[T] | T:
        if services is None:
            return self
        built: T = self._build(services)
        # Kept on the instance: later reads find it there and skip this descriptor.
        services.__dict__[self._name] = built
        return built


class Services:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        is_transient: Callable[[BaseException], bool] = lambda _: False,
        timer_wakeups: bool = True,
        web_url: str | None = None,
        shards: Shards | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        # The web server's public address (PUBLIC_URL), or None when it does not run.
        self.web_url = web_url
        # Which guilds' timers this process runs (all of them unless sharded).
        self.shards = shards or Shards.single()
        self.scheduler = Scheduler(
            db, clock, is_transient=is_transient, wake=timer_wakeups, shards=self.shards
        )
        self.guilds = GuildSettingsService(db, clock)
        self.preferences = PreferencesService(db, clock, self.guilds)
        self.privacy = PrivacyService(db)
        self.intents = IntentService(db, clock)

    # -- the features: one line each ---------------------------------------------------
    reminders = Feature(lambda s: ReminderService(s.db, s.clock, s.scheduler, s.preferences))
    sessions = Feature(
        lambda s: SessionService(s.db, s.clock, s.scheduler, s.preferences, s.guilds)
    )
    qa = Feature(lambda s: QAService(s.db, s.clock, s.scheduler, s.guilds))
    pairing = Feature(lambda s: PairingService(s.db, s.clock, s.scheduler, s.preferences, s.guilds))
    announcements = Feature(
        lambda s: AnnouncementService(s.db, s.clock, s.scheduler, s.guilds, s.preferences)
    )
    digest = Feature(lambda s: DigestService(s.db, s.clock, s.guilds, s.scheduler))
    web = Feature(lambda s: WebService(s.db, s.clock, s.web_url))
    archive = Feature(lambda s: ArchiveService(s.db, s.clock, s.web, s.qa.search))
    feeds = Feature(lambda s: FeedService(s.db, s.clock, s.web))


def build_services(db: Database, clock: Clock | None = None, **options: Any) -> Services:
    return Services(db, clock or SystemClock(), **options)
