"""Shared fixtures: a migrated database, a fake clock, the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.database import Database
from bot.db.migrate import migrate
from bot.services.container import Services, build_services
from bot.time.clock import FakeClock

pytest_plugins = ["tests.emulator.pytest_plugin"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "nexus.db")
    await database.connect()
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Services:
    services = build_services(db, clock, web_url="https://nexus.example")
    # What the feature cogs register with forget-me when they load.
    services.preferences.register_privacy(services.privacy)
    services.reminders.register_privacy(services.privacy)
    services.sessions.register_privacy(services.privacy)
    services.qa.register_privacy(services.privacy)
    services.pairing.register_privacy(services.privacy)
    services.announcements.register_privacy(services.privacy)
    services.web.register_privacy(services.privacy)
    return services
