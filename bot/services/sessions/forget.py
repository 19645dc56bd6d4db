"""Study sessions and ``/privacy forget-me``: the user's RSVPs and reminder choice are
deleted (their places go to the waiters); sessions they host are kept, since others
joined them, with the host removed (shown as a former member; mentors can still manage
them). What changed is kept for the cog, which refreshes the cards and tells the
promoted waiters."""

from __future__ import annotations

import logging

from bot.db import session_rsvps as rsvps
from bot.db import sessions as repo
from bot.db.database import Connection
from bot.db.session_rsvps import Rsvp
from bot.services.privacy import PrivacyService
from bot.services.sessions.rules import Promotion, RosterChanges

PRIVACY_OWNER = "sessions"
log = logging.getLogger(__name__)


def promotions(promoted: list[Rsvp]) -> list[Promotion]:
    return [Promotion(r.session_id, r.user_id, r.id) for r in promoted]


async def settle_hosts(tx: Connection, guild_id: int) -> RosterChanges:
    """Drop the RSVPs hosts hold for their own open sessions (made before the host went
    without one); the places this frees go to the first waiters."""
    removed = await rsvps.delete_hosts(tx, guild_id)
    touched = {r.session_id for r in removed}
    promoted: list[Rsvp] = []
    for session_id in sorted(touched):
        session = await repo.get(tx, session_id)
        if session is not None:
            promoted += await rsvps.promote_waiters(tx, session_id, session.capacity)
    if removed:
        log.info("guild %s: %d host RSVP(s) settled", guild_id, len(removed))
    return RosterChanges(touched, promotions(promoted))


class SessionForgetting:
    def __init__(self) -> None:
        self._forgotten: dict[int, RosterChanges] = {}

    def register(self, privacy: PrivacyService) -> None:
        privacy.register(PRIVACY_OWNER, "session RSVPs", rsvps.count_for_user, self._erase_rsvps)
        privacy.register_rows(PRIVACY_OWNER, "session reminder choice", "session_notify", "user_id")
        privacy.register(
            PRIVACY_OWNER,
            "sessions you host (kept for attendees, your name removed)",
            repo.count_hosted,
            self._erase_host,
        )

    async def _erase_rsvps(self, conn: Connection, user_id: int) -> int:
        touched = await rsvps.sessions_of(conn, user_id)
        erased = await rsvps.delete_for_user(conn, user_id)
        promoted: list[Rsvp] = []
        for session_id in touched:
            session = await repo.get(conn, session_id)
            if session is not None and session.is_open:
                promoted += await rsvps.promote_waiters(conn, session_id, session.capacity)
        self._note(user_id, set(touched), promotions(promoted))
        return erased

    async def _erase_host(self, conn: Connection, user_id: int) -> int:
        hosted = await repo.hosted_by(conn, user_id)
        self._note(user_id, set(hosted), [])
        return await repo.forget_host(conn, user_id)

    def _note(self, user_id: int, ids: set[int], promoted: list[Promotion]) -> None:
        before = self._forgotten.get(user_id, RosterChanges(set(), []))
        self._forgotten[user_id] = RosterChanges(
            before.session_ids | ids, before.promoted + promoted
        )

    def take(self, user_id: int) -> RosterChanges:
        """What the last forget-me of ``user_id`` changed (cards to refresh, waiters to
        tell), once."""
        return self._forgotten.pop(user_id, RosterChanges(set(), []))
