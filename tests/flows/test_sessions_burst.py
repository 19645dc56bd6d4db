"""A burst of Joins on one card: everyone is answered from the database, and the card
ends exact after two edits (counted, never timed)."""

from __future__ import annotations

import asyncio
import re

from tests.emulator import User
from tests.flows.harness import Nexus, embed_text
from tests.flows.sessions_kit import (
    HANDLERS,
    card,
    card_data,
    create,
    field,
    labels,
    settled,
)

BURST = 200
PLACES = 150
WAVE = 25


def mentions(text: str) -> list[int]:
    return [int(found) for found in re.findall(r"<@(\d+)>", text)]


def handlers_running() -> bool:
    return any(task.get_name().startswith(HANDLERS) for task in asyncio.all_tasks())


async def test_200_joins_end_with_an_exact_card_after_two_edits(
    nexus: Nexus,
) -> None:
    emu, w = nexus.emu, nexus.world
    session = await create(nexus, capacity=PLACES)
    message = card(nexus, session)
    edits = rf"/channels/{w.sessions.id}/messages/{message.id}"
    before = len(emu.calls_to("PATCH", edits))
    people: list[User] = []
    for i in range(BURST):
        user = emu.add_user(f"burst{i}")
        emu.add_member(w.guild.id, user)
        people.append(user)

    # As fast as the bot takes them (about a second here), in waves of 25 so that each
    # is deferred within Discord's 3 seconds even on a loaded machine. The card's first
    # edit is held back by "Discord" meanwhile, so however long the burst takes, every
    # Join after the first lands while an edit is under way: the count of edits does not
    # depend on the machine's speed.
    held = emu.hold("PATCH", edits)
    adds = rf"/channels/{session.thread_id}/thread-members/(\d+)"
    added_before = len(emu.calls_to("PUT", adds))  # the host, at creation
    held_add = emu.hold("PUT", adds)
    clicks = []
    for start in range(0, BURST, WAVE):
        wave = [
            await emu.click(user, message, f"session:join:{session.id}")
            for user in people[start : start + WAVE]
        ]
        await asyncio.gather(*(ix.response() for ix in wave))
        clicks += wave
    answered = await asyncio.gather(*(ix.wait_for_edit() for ix in clicks))
    answers = [embed_text(emu.payload(message)) for message in answered]
    assert held.arrived.is_set()  # the first edit went out at once
    # The clicks are done with while Discord still holds the first thread-member add:
    # what waits for the thread is a set of ids, not 200 interactions.
    assert held_add.arrived.is_set()
    assert not handlers_running()
    held.released.set()
    held_add.released.set()
    await settled(nexus)

    going = [text for text in answers if "You're going" in text]
    waiting = [text for text in answers if "waitlist" in text]
    assert (len(going), len(waiting)) == (PLACES, BURST - PLACES), answers[:3]
    roster = await nexus.services.sessions.roster(session.id)
    assert len(roster.going) == PLACES and len(roster.waitlist) == BURST - PLACES
    assert sorted(roster.going + roster.waitlist) == sorted(u.id for u in people)

    # The card shows the final state: the counts, the first people of each list in the
    # order the database put them, and "+N more" for the rest.
    data = card_data(nexus, session)
    name, shown = field(data, "Going")
    assert name == f"Going (host + {PLACES}/{PLACES})"
    listed = mentions(shown)
    assert listed[0] == w.mentor.id and listed[1:] == roster.going[: len(listed) - 1]
    assert shown.endswith(f" +{PLACES + 1 - len(listed)} more")
    name, shown = field(data, "Waitlist")
    assert name == f"Waitlist ({BURST - PLACES})"
    listed = mentions(shown)
    assert listed and listed == roster.waitlist[: len(listed)]
    assert shown.endswith(f" +{BURST - PLACES - len(listed)} more")
    assert labels(emu.message(message.id))[0] == "Join waitlist"

    # Everyone is in the thread, each added by one request.
    added = [int(call.path.rsplit("/", 1)[1]) for call in emu.calls_to("PUT", adds)[added_before:]]
    assert sorted(added) == sorted(u.id for u in people)

    # … in two edits, not one per click: the first at once, then one (a second after
    # it) with everything decided meanwhile.
    made = len(emu.calls_to("PATCH", edits)) - before
    assert made == 2, made
