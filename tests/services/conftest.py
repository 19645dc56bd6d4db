"""Fixtures for the service tests of study sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.container import Services
from bot.services.sessions.rules import KIND_END, KIND_REMINDER, KIND_START


@pytest.fixture
def fired(services: Services) -> dict[str, list[Timer]]:
    """Record timers as they fire, doing what the cog does minus Discord."""
    seen: dict[str, list[Timer]] = {KIND_REMINDER: [], KIND_START: [], KIND_END: []}
    timeline = services.sessions.timeline

    async def remind(timer: Timer) -> None:
        await timeline.reminder_plan(timer)
        seen[KIND_REMINDER].append(timer)

    async def start(timer: Timer) -> None:
        assert timer.subject_id is not None
        await timeline.begin(timer.subject_id)
        seen[KIND_START].append(timer)

    async def end(timer: Timer) -> None:
        assert timer.subject_id is not None
        await timeline.finish(timer.subject_id)
        seen[KIND_END].append(timer)

    services.scheduler.register(KIND_REMINDER, TimerKind(remind, late_after=timedelta(days=7)))
    services.scheduler.register(KIND_START, TimerKind(start))
    services.scheduler.register(KIND_END, TimerKind(end))
    return seen
