"""The calls of ``bench/roundtrip.py``: the rows (one user action each), who acts, one
timed call, and a round of calls at a given concurrency, on one emulator and its bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from roundtrip_world import World, tidy

from tests.emulator import User
from tests.emulator.records import InteractionRecord

DEFERRED = 5
DEADLINE = 10.0  # seconds to wait for an answer before counting the call as failed

Fire = Callable[[World, User, int], Awaitable[InteractionRecord]]


@dataclass(frozen=True)
class Row:
    label: str
    fire: Fire | None  # None: a Join click on ``card``
    users: str = "all"  # "all" learners, or "profiles": only those with a pairing profile
    card: str | None = None  # a Join click on this card (then an untimed Leave)


def answered(ix: InteractionRecord) -> float | None:
    """When the user had their answer: the callback, or what a deferred one became."""
    if ix.callback is None or ix.callback_at is None:
        return None
    if ix.callback.get("type") != DEFERRED:
        return ix.callback_at
    return getattr(ix, "answered_at", None)


def stamp_answers() -> None:
    """Note the moment a deferred interaction's loading message is filled in."""
    notify = InteractionRecord.notify

    def noting(self: InteractionRecord) -> None:
        if getattr(self, "answered_at", None) is None and self.callback is not None:
            message = self.original_message
            if self.followup_ids or (message is not None and message.edited_timestamp):
                self.answered_at = self.emu.clock.time()  # type: ignore[attr-defined]
        notify(self)

    InteractionRecord.notify = noting  # type: ignore[method-assign]


async def wait_answer(ix: InteractionRecord) -> float:
    deadline = time.monotonic() + DEADLINE
    while answered(ix) is None:
        if ix.rejections or time.monotonic() > deadline:
            raise RuntimeError(f"{ix!r}: no answer ({ix.rejections or 'timeout'})")
        ix._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ix._changed.wait(), 0.5)
    at = answered(ix)
    assert at is not None
    return (at - ix.created_at) * 1000


def rows(searches: list[str]) -> list[Row]:
    def slash(name: str, **options: object) -> Fire:
        async def fire(world: World, user: User, i: int) -> InteractionRecord:
            values = {k: v(i) if callable(v) else v for k, v in options.items()}
            return await world.emu.slash(
                user, world.guild.id, name, channel_id=world.general.id, **values
            )

        return fire

    async def session_info(world: World, user: User, i: int) -> InteractionRecord:
        _, session_id = world.cards["5000"]
        return await world.emu.slash(
            user, world.guild.id, "session info", channel_id=world.general.id, id=session_id
        )

    return [
        Row("/timezone show", slash("timezone show")),
        Row("/session list", slash("session list")),
        Row("/session info (5,000 waiting)", session_info),
        Row("/qa search", slash("qa search", query=lambda i: searches[i % len(searches)])),
        Row("/remind me", slash("remind me", when="in 3 days", what="revise the ORM chapter")),
        Row("Join click (waitlist 10)", None, card="10"),
        Row("Join click (waitlist 5,000)", None, card="5000"),
        Row("/pair find", slash("pair find"), users="profiles"),
    ]


def chosen(searches: list[str], wanted: list[str] | None) -> list[Row]:
    """The rows whose label contains one of ``wanted`` (all of them by default)."""
    every = rows(searches)
    if not wanted:
        return every
    return [row for row in every if any(w.lower() in row.label.lower() for w in wanted)]


class Users:
    """Who acts next: learners in turn across the whole run, so nobody hits a per-user
    cooldown; for a card, only people not on it right now."""

    def __init__(self, world: World, profiles: int) -> None:
        self._all = itertools.cycle(world.learners)
        self._profiles = itertools.cycle(world.learners[:profiles])
        self.free = {label: asyncio.Queue[User]() for label in world.cards}
        for queue in self.free.values():
            for user in world.learners:
                queue.put_nowait(user)

    def next(self, row: Row) -> User:
        return next(self._profiles if row.users == "profiles" else self._all)


async def one_call(world: World, users: Users, row: Row, i: int) -> float:
    if row.fire is not None:
        return await wait_answer(await row.fire(world, users.next(row), i))
    assert row.card is not None
    message, session_id = world.cards[row.card]
    queue = users.free[row.card]
    user = await queue.get()
    try:
        ms = await wait_answer(await world.emu.click(user, message, f"session:join:{session_id}"))
        await wait_answer(await world.emu.click(user, message, f"session:leave:{session_id}"))
    finally:
        queue.put_nowait(user)
    return ms


async def a_round(
    world: World, users: Users, row: Row, calls: int, concurrency: int
) -> tuple[list[float], int]:
    counter = itertools.count()
    samples: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while (i := next(counter)) < calls:
            try:
                samples.append(await one_call(world, users, row, i))
            except RuntimeError:
                failures += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, calls))))
    tidy(world.emu)
    return samples, failures
