"""What a session card shows, read in bounded time, and which cards are behind.

A card lists the first few people going and waiting with how many there are in all
(``Roster`` heads: two short index ranges and two counts, whatever the length of the
line). Each card edit records the version it showed; the database bumps a session's
version with every change a card shows (migration 0013), so the cards left behind by a
stop or a kill are found at start and put right.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import session_rsvps as rsvps
from bot.db import sessions as repo
from bot.db.database import Database
from bot.db.session_rsvps import Roster
from bot.db.sessions import Session


@dataclass(frozen=True)
class CardState:
    session: Session
    roster: Roster  # the first names of each list, with the counts
    version: int  # the card shows at least this version once edited with it


class SessionCards:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def state(self, session_id: int, *, names: int) -> CardState | None:
        """The session and the head of its roster. The version is read with the
        session, before the roster: the card shows that version or a newer one."""
        found = await repo.get_versioned(self._db.reader, session_id)
        if found is None:
            return None
        session, version = found
        roster = await rsvps.head(self._db.reader, session_id, names)
        return CardState(session, roster, version)

    async def head(self, session_id: int, *, names: int) -> Roster:
        return await rsvps.head(self._db.reader, session_id, names)

    async def shown(self, session_id: int, version: int) -> None:
        async with self._db.transaction() as tx:
            await repo.card_shown(tx, session_id, version)

    async def behind(self, guild_id: int) -> list[int]:
        return await repo.cards_behind(self._db.reader, guild_id)
