"""Shared fixtures: a migrated database, a fake clock, the services."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.database import Database
from bot.db.migrate import migrate
from bot.services.container import Services, build_services
from bot.time.clock import FakeClock
from tests import backends
from tests.backends import database_for

pytest_plugins = ["tests.emulator.pytest_plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgresql"),
        default=None,
        help="the database the storage tests use (postgresql: NEXUS_TEST_DATABASE_URL, "
        "see tests/backends.py); sqlite unless NEXUS_TEST_DATABASE_URL is set",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: tests SQLite itself; skipped on PostgreSQL")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    chosen = request.config.getoption("--backend")
    if chosen is None:
        chosen = "postgresql" if os.environ.get(backends.ENV) else "sqlite"
    return str(chosen)


@pytest.fixture(scope="session")
def postgres_server(backend: str) -> Iterator[backends.PostgresServer | None]:
    if backend != "postgresql":
        yield None
        return
    server = backends.PostgresServer(backends.admin_url())
    yield server
    asyncio.run(server.drop_template())


@pytest.fixture(autouse=True)
def _skip_sqlite_only(request: pytest.FixtureRequest, backend: str) -> None:
    marker = request.node.get_closest_marker("sqlite_only")
    if marker is not None and backend == "postgresql":
        pytest.skip(marker.args[0] if marker.args else "tests SQLite itself")


@pytest.fixture
async def database_url(
    tmp_path: Path, postgres_server: backends.PostgresServer | None
) -> AsyncIterator[str]:
    """Where this test's database is: a migrated PostgreSQL database of its own, or a
    SQLite file (``sqlite:///…``, not yet created)."""
    if postgres_server is None:
        yield f"sqlite:///{tmp_path / 'nexus.db'}"
        return
    url = await postgres_server.create()
    try:
        yield url
    finally:
        await postgres_server.drop(url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))


@pytest.fixture
async def empty_postgres_url(
    postgres_server: backends.PostgresServer | None,
) -> AsyncIterator[str]:
    """An empty PostgreSQL database of the test's own (skips the test on SQLite)."""
    if postgres_server is None:
        pytest.skip("PostgreSQL only (--backend postgresql)")
    url = await postgres_server.create(migrated=False)
    try:
        yield url
    finally:
        await postgres_server.drop(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = database_for(database_url)
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
