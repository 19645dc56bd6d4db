"""Pairing: profiles, suggestions, requests, partnerships, check-ins, exclusions.

Rules kept here:
* A request goes to someone who is taking requests (a profile, available, not snoozed,
  and not excluded either way); the refusal never says which, so an exclusion stays
  private. One open request between two people at a time; it expires after 72 h.
* Only the target answers a request. Accepting makes the two partners until one of them
  runs ``/pair end``; the pair's private thread is an intent (its name carries the
  pair's id) completed by the adapter, so a crash between the two never loses it.
* A check-in is booked a week after a pair is made; its answers feed ``/pair status``.
* Rounds (``rounds.py``) never re-pair people paired in the last 12 weeks, who declined
  or ended a partnership with each other, or who excluded each other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.db import pair_profiles as profiles
from bot.db import pair_requests as requests
from bot.db import pairs as repo
from bot.db.database import Connection, Database
from bot.db.pair_profiles import Profile
from bot.db.pair_requests import PairRequest
from bot.db.pairs import Pair
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.pairing import finder, terms
from bot.services.pairing.rounds import PairingRounds
from bot.services.pairing.skills import normalise_skills
from bot.services.pairing.terms import (
    CHECKIN_AFTER,
    KIND_CHECKIN,
    KIND_EXPIRY,
    PAIR_THREAD_NAME,
    REQUEST_TTL,
    Kickoff,
    Suggestion,
)
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.time.clock import Clock, epoch
from bot.time.timeparse import parse_when
from bot.ui.limits import require_text

log = logging.getLogger(__name__)

PRIVACY_OWNER = "pairing"
NO_PROFILE = "{user} has no pairing profile yet; they can make one with `/pair profile`."
NO_PROFILE_YET = (
    "You have no pairing profile yet. Start with `/pair profile track skills`, "
    "e.g. `track: backend skills: python, django`."
)
NOT_TAKING = "{user} isn't taking pairing requests right now. `/pair find` suggests others."


@dataclass(frozen=True)
class Decision:
    request: PairRequest
    pair: Pair | None  # the new partnership, when accepted


@dataclass(frozen=True)
class Status:
    user_id: int
    profile: Profile | None
    partners: list[Pair]
    sent: list[PairRequest]
    received: list[PairRequest]
    stats: dict[str, int]


class PairingService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        preferences: PreferencesService,
        guilds: GuildSettingsService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._preferences = preferences
        self.rounds = PairingRounds(db, clock, scheduler, guilds, self)
        self._forgotten: dict[int, list[PairRequest]] = {}
        self._found = finder.FindCache()

    # -- profiles -------------------------------------------------------------------------

    async def save_profile(
        self,
        guild_id: int,
        user_id: int,
        *,
        track: str,
        skills: str,
        looking_for: str | None = None,
        availability: str | None = None,
        bio: str | None = None,
        available: bool | None = None,
    ) -> Profile:
        values: dict[str, object] = {
            "track": terms.parse_track(track),
            "skills": normalise_skills(skills),
        }
        if looking_for is not None:
            values["looking_for"] = terms.parse_wanted(looking_for)
        if availability is not None:
            zone = (await self._preferences.effective_zone(user_id, guild_id)).zone
            windows = terms.parse_hours(availability)
            values |= {
                "availability": require_text("availability", availability, terms.AVAILABILITY_MAX),
                "windows": [list(w) for w in windows],
                "zone": zone.key,
            }
        if bio is not None:
            values["bio"] = require_text("bio", bio, terms.BIO_MAX, required=False) or None
        if available is not None:
            values["available"] = int(available)
        async with self._db.transaction() as tx:
            return await profiles.save(tx, guild_id, user_id, values, self._now())

    async def profile(self, guild_id: int, user_id: int) -> Profile | None:
        return await profiles.get(self._db.reader, guild_id, user_id)

    async def require_profile(self, guild_id: int, user_id: int) -> Profile:
        found = await self.profile(guild_id, user_id)
        if found is None:
            raise NotFound(NO_PROFILE_YET)
        return found

    async def profiles(self, guild_id: int, user_ids: list[int]) -> dict[int, Profile]:
        return await profiles.many(self._db.reader, guild_id, user_ids)

    # -- suggestions ----------------------------------------------------------------------

    async def find(self, guild_id: int, user_id: int, limit: int = 5) -> list[Suggestion]:
        """The best partners for the user, each with a score and its reasons: never
        someone partnered, unavailable, snoozed, or forbidden with the user. The
        server's side of it is kept between calls (``finder``): one read of the
        server's pairing version when nothing changed."""
        server = await self._server(guild_id)
        if user_id not in server.profiles:
            raise NotFound(NO_PROFILE_YET)
        found = server.view(self._clock.now()).top(user_id, limit)
        return [Suggestion(s.user_id, s.score.total, s.score.reasons) for s in found]

    async def _server(self, guild_id: int) -> finder.Server:
        """The server's profiles and constraint facts, each read again only when its
        counter moved (counters first: what is read after them is at least as new)."""
        reader = self._db.reader
        versions = await profiles.versions(reader, guild_id)
        kept = self._found.get(guild_id)
        if kept is not None and kept.versions == versions:
            return kept
        facts = (
            kept.facts
            if kept is not None and kept.versions[1] == versions[1]
            else await self.rounds.facts(guild_id)
        )
        if kept is not None and kept.versions[0] == versions[0]:
            server = kept.renewed(versions, facts)
        else:
            server = finder.Server(versions, await profiles.in_guild(reader, guild_id), facts)
        self._found.put(guild_id, server)
        return server

    # -- requests -------------------------------------------------------------------------

    async def request(
        self, guild_id: int, from_id: int, to_id: int, message: str | None
    ) -> PairRequest:
        if from_id == to_id:
            raise InvalidInput("That's you. Pick someone else, or run `/pair find`.")
        await self.require_profile(guild_id, from_id)
        text = require_text("message", message, terms.MESSAGE_MAX, required=False) or None
        target = await self.profile(guild_id, to_id)
        excluded = {frozenset(p) for p in await profiles.exclusions(self._db.reader, guild_id)}
        now = self._clock.now()
        if target is None:
            raise Conflict(NO_PROFILE.format(user=f"<@{to_id}>"))
        if not terms.taking_partners(target, now) or frozenset((from_id, to_id)) in excluded:
            raise Conflict(NOT_TAKING.format(user=f"<@{to_id}>"))
        current = await repo.active_for(self._db.reader, guild_id, from_id)
        if any(to_id in pair.members for pair in current):
            raise AlreadyDone(f"You and <@{to_id}> are already partners: `/pair status` shows it.")
        async with self._db.transaction() as tx:
            created = await requests.insert(
                tx,
                guild_id=guild_id,
                from_id=from_id,
                to_id=to_id,
                message=text,
                now=epoch(now),
                expires_at=epoch(now + REQUEST_TTL),
            )
            await self._scheduler.schedule(
                KIND_EXPIRY,
                now + REQUEST_TTL,
                guild_id=guild_id,
                subject_id=created.id,
                conn=tx,
            )
        log.info("pair request %s: %s -> %s in guild %s", created.id, from_id, to_id, guild_id)
        return created

    async def attach_request_post(self, request_id: int, channel_id: int, message_id: int) -> None:
        async with self._db.transaction() as tx:
            await requests.attach_message(tx, request_id, channel_id, message_id)

    async def withdraw_request(self, request_id: int) -> None:
        """A request whose post could not be made: it never existed."""
        async with self._db.transaction() as tx:
            await requests.decide(tx, request_id, "expired", self._now())
            await self._scheduler.cancel_subject(KIND_EXPIRY, request_id, conn=tx)

    async def get_request(self, request_id: int) -> PairRequest | None:
        return await requests.get(self._db.reader, request_id)

    async def answer(self, request_id: int, user_id: int, *, accept: bool) -> Decision:
        """The target accepts or declines; accepting makes the pair (its thread to open)."""
        current = await requests.get(self._db.reader, request_id)
        if current is None:
            raise NotFound("This request no longer exists.")
        if current.to_id != user_id:
            raise PermissionDenied(
                f"Only <@{current.to_id}> can answer this request."
                if user_id != current.from_id
                else "This is your own request: wait for the answer, or it expires by itself."
            )
        now = self._clock.now()
        async with self._db.transaction() as tx:
            decided = await requests.decide(
                tx, request_id, "accepted" if accept else "declined", epoch(now)
            )
            if decided is None:
                raise AlreadyDone(terms.already_answered(current.status))
            await self._scheduler.cancel_subject(KIND_EXPIRY, request_id, conn=tx)
            pair = None
            if accept:
                pair = await self.make_pair(
                    tx,
                    guild_id=decided.guild_id,
                    members=[decided.from_id, decided.to_id],
                    score=0,
                    request_id=decided.id,
                    now=now,
                )
        return Decision(decided, pair)

    async def expire(self, request_id: int) -> PairRequest | None:
        """The 72-hour timer: a request still open expires; None when it was answered."""
        async with self._db.transaction() as tx:
            return await requests.decide(tx, request_id, "expired", self._now())

    # -- pairs ----------------------------------------------------------------------------

    async def make_pair(
        self,
        tx: Connection,
        *,
        guild_id: int,
        members: list[int],
        score: int,
        now: datetime,
        request_id: int | None = None,
        round_id: int | None = None,
    ) -> Pair:
        pair = await repo.insert(
            tx,
            guild_id=guild_id,
            members=members,
            score=score,
            name=PAIR_THREAD_NAME,
            now=epoch(now),
            round_id=round_id,
            request_id=request_id,
        )
        await self._scheduler.schedule(
            KIND_CHECKIN, now + CHECKIN_AFTER, guild_id=guild_id, subject_id=pair.id, conn=tx
        )
        return pair

    async def kickoff(self, pair: Pair) -> Kickoff:
        return await self.rounds.kickoff(pair)

    async def get_pair(self, pair_id: int) -> Pair | None:
        return await repo.get(self._db.reader, pair_id)

    async def attach_thread(self, pair_id: int, thread_id: int) -> None:
        async with self._db.transaction() as tx:
            await repo.attach_thread(tx, pair_id, thread_id)

    async def pairs_without_thread(self, guild_id: int | None = None) -> list[Pair]:
        return await repo.without_thread(self._db.reader, guild_id)

    async def end(self, guild_id: int, user_id: int, other_id: int) -> Pair:
        for pair in await repo.active_for(self._db.reader, guild_id, user_id):
            if other_id in pair.members:
                async with self._db.transaction() as tx:
                    await repo.end(tx, pair.id, user_id, self._now())
                    await self._scheduler.cancel_subject(KIND_CHECKIN, pair.id, conn=tx)
                return pair
        raise NotFound(f"You and <@{other_id}> are not partners. `/pair status` lists yours.")

    async def check_in(self, pair_id: int, user_id: int, answer: str) -> Pair:
        pair = await repo.get(self._db.reader, pair_id)
        if pair is None:
            raise NotFound("This pair no longer exists.")
        if user_id not in pair.members:
            raise PermissionDenied("Only the members of this pair can answer its check-in.")
        async with self._db.transaction() as tx:
            await repo.check_in(tx, pair_id, user_id, terms.check_answer(answer), self._now())
        return pair

    async def checkins(self, pair_id: int) -> dict[int, str]:
        return await repo.checkins(self._db.reader, pair_id)

    async def checkin_due(self, pair_id: int) -> Pair | None:
        """The pair to ask, a week on; None once it ended."""
        pair = await repo.get(self._db.reader, pair_id)
        return pair if pair is not None and pair.status == "active" else None

    async def status(self, guild_id: int, user_id: int) -> Status:
        reader = self._db.reader
        open_requests = await requests.open_involving(reader, guild_id, user_id)
        return Status(
            user_id=user_id,
            profile=await profiles.get(reader, guild_id, user_id),
            partners=await repo.active_for(reader, guild_id, user_id),
            sent=[r for r in open_requests if r.from_id == user_id],
            received=[r for r in open_requests if r.to_id == user_id],
            stats=await repo.checkin_stats(reader, guild_id),
        )

    # -- snooze and exclude ---------------------------------------------------------------

    async def snooze(self, guild_id: int, user_id: int, until: str) -> datetime:
        await self.require_profile(guild_id, user_id)
        zone = (await self._preferences.effective_zone(user_id, guild_id)).zone
        when = parse_when(until, zone=zone, now=self._clock.now())
        async with self._db.transaction() as tx:
            await profiles.save(tx, guild_id, user_id, {"snoozed_until": epoch(when)}, self._now())
        return when

    async def exclude(self, guild_id: int, user_id: int, other_id: int) -> bool:
        if user_id == other_id:
            raise InvalidInput("That's you: there is nobody to exclude.")
        async with self._db.transaction() as tx:
            return await profiles.exclude(tx, guild_id, user_id, other_id, self._now())

    # -- forget-me ------------------------------------------------------------------------

    def register_privacy(self, privacy: PrivacyService) -> None:
        privacy.register_reference(PRIVACY_OWNER, "pair_rounds", "started_by")
        privacy.register_reference(PRIVACY_OWNER, "pairs", "ended_by")
        privacy.register_rows(PRIVACY_OWNER, "your pairing profile", "pair_profiles", "user_id")
        privacy.register(
            PRIVACY_OWNER, "pairing requests", requests.count_involving, self._erase_requests
        )
        privacy.register(
            PRIVACY_OWNER,
            "pairing exclusions",
            profiles.count_exclusions_involving,
            profiles.delete_exclusions_involving,
        )
        privacy.register(
            PRIVACY_OWNER,
            "pairs and check-ins (threads stay)",
            repo.count_memberships,
            self._erase_memberships,
        )

    async def _erase_requests(self, conn: Connection, user_id: int) -> int:
        erased = await requests.count_involving(conn, user_id)
        self._forgotten[user_id] = await requests.delete_involving(conn, user_id)
        return erased

    async def _erase_memberships(self, conn: Connection, user_id: int) -> int:
        erased = await repo.count_memberships(conn, user_id)
        await repo.forget_member(conn, user_id)
        return erased

    def take_forgotten_requests(self, user_id: int) -> list[PairRequest]:
        """The open requests the last forget-me of ``user_id`` deleted, once (their
        posts lose their buttons)."""
        return self._forgotten.pop(user_id, [])

    def _now(self) -> int:
        return epoch(self._clock.now())
