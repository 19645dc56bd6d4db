"""The card refresher: the first change is shown at once, later ones wait out the
interval and are folded into one edit each, with the latest state."""

from __future__ import annotations

import asyncio

from bot.coalescing import Coalescer


class Held:
    """A pause the test ends by hand, instead of a clock."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.go = asyncio.Event()
        self.waiting = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.waiting.set()
        await self.go.wait()
        self.go.clear()
        self.waiting.clear()

    async def release(self) -> None:
        self.go.set()
        await asyncio.sleep(0)  # let the refresher run up to its next pause or its end


async def test_a_burst_of_changes_is_one_edit_now_and_one_after_the_interval() -> None:
    edits: list[int] = []
    state = {"roster": 0}

    async def refresh(session_id: int) -> None:
        edits.append(state["roster"])

    pause = Held()
    cards = Coalescer(refresh, interval=0.5, pause=pause)
    state["roster"] = 1
    cards.stale(7)
    await cards.settled()
    assert edits == [1]  # at once
    await asyncio.wait_for(pause.waiting.wait(), 5)  # the interval after an edit
    for roster in range(2, 40):  # a burst while the interval runs
        state["roster"] = roster
        cards.stale(7)
    assert edits == [1]
    settled = asyncio.ensure_future(cards.settled())
    await asyncio.sleep(0)
    assert not settled.done()  # an edit is still owed
    await pause.release()
    await settled
    assert edits == [1, 39]  # one edit, with the latest state
    assert pause.asked == [0.5, 0.5]
    await pause.release()  # an interval without changes: the task ends
    await asyncio.sleep(0)
    assert edits == [1, 39]
    cards.stale(7)
    await cards.settled()
    assert edits == [1, 39, 39]  # a change after a quiet interval is shown at once
    cards.close()


async def test_each_card_has_its_own_pace_and_a_failed_edit_does_not_stop_it() -> None:
    edits: list[int] = []

    async def refresh(session_id: int) -> None:
        edits.append(session_id)
        if len(edits) == 1:
            raise RuntimeError("Discord said no")

    pause = Held()
    cards = Coalescer(refresh, interval=1.0, pause=pause)
    cards.stale(1)
    cards.stale(2)
    await cards.settled()
    assert sorted(edits) == [1, 2]
    cards.stale(1)
    await pause.release()
    await cards.settled()
    assert sorted(edits) == [1, 1, 2]
    cards.close()
