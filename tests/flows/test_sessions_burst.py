"""A burst of Joins on one card: everyone is answered from the database, and the card
ends exact after a handful of edits (counted, never timed)."""

from __future__ import annotations

import asyncio
import re

from tests.emulator import User
from tests.flows.harness import Nexus, embed_text
from tests.flows.sessions_kit import card, card_data, create, field, finished, labels, settled

BURST = 200
PLACES = 150
HANDFUL = 5


def mentions(text: str) -> list[int]:
    return [int(found) for found in re.findall(r"<@(\d+)>", text)]


async def test_200_joins_in_a_second_end_with_an_exact_card_after_a_handful_of_edits(
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

    # All at once: the bot takes them in as fast as it can (about a second here).
    clicks = [await emu.click(user, message, f"session:join:{session.id}") for user in people]
    answers = [
        embed_text(data) for data in await asyncio.gather(*(finished(nexus, ix) for ix in clicks))
    ]
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

    # … in a handful of edits, not one per click.
    made = len(emu.calls_to("PATCH", edits)) - before
    assert 1 <= made <= HANDFUL, made
