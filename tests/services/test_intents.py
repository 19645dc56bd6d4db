"""Intents: a Discord write recorded before it is made, kept until its result is stored."""

from __future__ import annotations

from bot.services.container import Services
from bot.services.intents import QA_POST, SESSION_CARD
from bot.time.clock import FakeClock


async def test_a_retry_keeps_the_first_intent_and_its_time(
    services: Services, clock: FakeClock
) -> None:
    """The reconciliation looks for what was posted since the first attempt: a retry
    must not move that instant forward, nor add a second intent."""
    first = await services.intents.record(
        SESSION_CARD, guild_id=1, channel_id=10, subject_id=7, nonce="sc7"
    )
    clock.advance(minutes=5)
    again = await services.intents.record(
        SESSION_CARD, guild_id=1, channel_id=10, subject_id=7, nonce="sc7"
    )
    assert again == first
    assert await services.intents.pending(1, SESSION_CARD) == [first]


async def test_pending_is_per_server_and_kind_and_complete_removes(services: Services) -> None:
    card = await services.intents.record(SESSION_CARD, guild_id=1, channel_id=10, subject_id=7)
    other_server = await services.intents.record(
        SESSION_CARD, guild_id=2, channel_id=20, subject_id=8
    )
    # Questions have no row yet: several may be in flight at once.
    asks = [
        await services.intents.record(
            QA_POST, guild_id=1, channel_id=11, user_id=5, name=f"q{n}", payload={"n": n}
        )
        for n in range(2)
    ]
    assert await services.intents.pending(1, SESSION_CARD) == [card]
    assert await services.intents.pending(2, SESSION_CARD) == [other_server]
    assert await services.intents.pending(1, QA_POST) == asks
    assert [a.payload for a in asks] == [{"n": 0}, {"n": 1}]

    await services.intents.complete(asks[0])
    assert await services.intents.pending(1, QA_POST) == [asks[1]]


async def test_forget_me_erases_the_questions_being_posted(services: Services) -> None:
    await services.intents.record(QA_POST, guild_id=1, channel_id=11, user_id=5, name="q")
    await services.intents.record(SESSION_CARD, guild_id=1, channel_id=10, subject_id=7)
    assert (await services.privacy.inventory(5)).get("questions still being posted") == 1
    await services.privacy.forget(5)
    assert await services.intents.pending(1, QA_POST) == []
    assert len(await services.intents.pending(1, SESSION_CARD)) == 1
