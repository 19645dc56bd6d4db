"""Pairing rounds: plan one (``matching.plan_round``) and store it in one transaction,
the kickoff of each pair, and the weekly schedule of automatic rounds.

A round is stored whole before any thread is opened: the pairs are intents whose
threads the adapter opens afterwards, so a kill in the middle of a round leaves the
rest to open at the next start, and nobody is paired twice. A scheduled round is keyed
by its timer, so a retried timer finds its round instead of planning another.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime
from statistics import mean
from typing import TYPE_CHECKING

from bot.db import pair_profiles as profiles
from bot.db import pair_requests as requests
from bot.db import pairs as repo
from bot.db.database import Database
from bot.db.pair_profiles import Profile
from bot.db.pairs import Pair, Round, Schedule
from bot.db.timers import Timer
from bot.scheduling import Scheduler
from bot.services import weekly
from bot.services.guild_settings import GuildSettingsService
from bot.services.pairing import rules, terms
from bot.services.pairing.finder import Facts
from bot.services.pairing.terms import KIND_ROUND, Kickoff, RoundReport
from bot.services.weekly import WeeklySlot
from bot.time.clock import Clock, epoch
from bot.time.timeparse import parse_weekly_schedule

if TYPE_CHECKING:
    from bot.services.pairing.service import PairingService

log = logging.getLogger(__name__)

SHUFFLES = 20  # random rounds averaged for the comparison in the report


class PairingRounds:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        guilds: GuildSettingsService,
        pairing: PairingService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._guilds = guilds
        self._pairing = pairing

    async def plan(
        self, guild_id: int, *, started_by: int | None, timer_id: int | None = None
    ) -> RoundReport:
        """Pair every available learner without a partner, optimally, and store it."""
        if timer_id is not None:
            done = await repo.round_of_timer(self._db.reader, timer_id)
            if done is not None:
                return await self._report(done)
        # numpy and scipy load here, on the first round, not at start-up: every second
        # of start-up is a second of lateness for the timers that fell due while down.
        from bot.services.pairing import matching

        now = self._clock.now()
        everyone = await profiles.in_guild(self._db.reader, guild_id)
        constraints = await self.constraints(guild_id, everyone, now=now)
        candidates = [terms.candidate(p, now=now) for p in everyone]
        plan = matching.plan_round(candidates, constraints)
        rng = random.Random(f"{guild_id}:{epoch(now)}")  # noqa: S311 - a baseline, not a secret
        shuffle = round(mean(plan.shuffle_total(rng) for _ in range(SHUFFLES))) if candidates else 0
        unpaired = [(u.user_id, u.reason) for u in plan.unpaired]
        async with self._db.transaction() as tx:
            stored = await repo.insert_round(
                tx,
                guild_id=guild_id,
                started_by=started_by,
                timer_id=timer_id,
                learners=len(candidates) - sum(1 for _, r in unpaired if r in _SITTING_OUT),
                total_score=plan.total_score,
                shuffle_score=shuffle,
                unpaired=unpaired,
                now=epoch(now),
            )
            made = [
                await self._pairing.make_pair(
                    tx,
                    guild_id=guild_id,
                    members=list(group.members),
                    score=group.score,
                    now=now,
                    round_id=stored.id,
                )
                for group in plan.groups
            ]
        log.info(
            "guild %s round %s: %d groups, score %d (shuffle %d), %d unpaired",
            guild_id,
            stored.id,
            len(made),
            plan.total_score,
            shuffle,
            len(unpaired),
        )
        return RoundReport(
            round_id=stored.id,
            learners=stored.learners,
            pairs=made,
            total_score=plan.total_score,
            shuffle_score=shuffle,
            greedy_score=plan.greedy_total(),
            unpaired=unpaired,
        )

    async def _report(self, stored: Round) -> RoundReport:
        return RoundReport(
            round_id=stored.id,
            learners=stored.learners,
            pairs=await repo.of_round(self._db.reader, stored.id),
            total_score=stored.total_score,
            shuffle_score=stored.shuffle_score,
            greedy_score=stored.total_score,
            unpaired=list(stored.unpaired),
        )

    async def finish(self, round_id: int) -> None:
        async with self._db.transaction() as tx:
            await repo.finish_round(tx, round_id, epoch(self._clock.now()))

    async def unfinished(self, guild_id: int) -> list[int]:
        return [r.id for r in await repo.opening_rounds(self._db.reader, guild_id)]

    async def facts(self, guild_id: int) -> Facts:
        """What the server's hard constraints are made of, as stored now."""
        reader = self._db.reader
        return Facts(
            history=tuple(await repo.history(reader, guild_id)),
            declined=tuple(await requests.declined(reader, guild_id)),
            excluded=tuple(await profiles.exclusions(reader, guild_id)),
            partnered=frozenset(await repo.partnered(reader, guild_id)),
        )

    async def constraints(
        self, guild_id: int, everyone: list[Profile], *, now: datetime
    ) -> rules.Constraints:
        """The hard constraints of the server now: pairs that must never be matched
        (paired or declined in the last 12 weeks, ended, excluded either way) and who
        sits out (snoozed, unavailable, already partnered)."""
        return (await self.facts(guild_id)).constraints(everyone, now=now)

    # -- the kickoff ----------------------------------------------------------------------

    async def kickoff(self, pair: Pair) -> Kickoff:
        found = await profiles.many(self._db.reader, pair.guild_id, list(pair.members))
        members = [found[m] for m in pair.members if m in found]
        now = self._clock.now()
        reasons: tuple[str, ...] = ()
        if len(members) == 2:
            a, b = (terms.candidate(p, now=now) for p in members)
            reasons = rules.score(a, b).reasons
        return terms.kickoff(members, reasons, now=now)

    # -- schedule -------------------------------------------------------------------------

    async def set_schedule(self, guild_id: int, text: str) -> WeeklySlot | None:
        """``weekly mon 10:00`` (in the server's zone) or ``off``."""
        parsed = parse_weekly_schedule(text)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if parsed is None:
                await self._scheduler.cancel_subject(KIND_ROUND, guild_id, conn=tx)
                await repo.clear_schedule(tx, guild_id)
                return None
            weekday, at = parsed
            zone = (await self._guilds.zone(guild_id)).key
            minute = at.hour * 60 + at.minute
            timer = await weekly.book(
                self._scheduler,
                tx,
                KIND_ROUND,
                guild_id,
                weekday=weekday,
                at_minute=minute,
                zone=zone,
                after=now,
            )
            await repo.set_schedule(
                tx, Schedule(guild_id, weekday, minute, zone, timer.id), epoch(now)
            )
        return WeeklySlot(weekday, minute, zone, timer.due)

    async def book_next(self, guild_id: int, timer: Timer) -> None:
        """After a scheduled round: the next slot of the schedule."""
        schedule = await repo.get_schedule(self._db.reader, guild_id)
        if schedule is None:
            return
        now = self._clock.now()
        async with self._db.transaction() as tx:
            booked = await weekly.book(
                self._scheduler,
                tx,
                KIND_ROUND,
                guild_id,
                weekday=schedule.weekday,
                at_minute=schedule.at_minute,
                zone=schedule.zone,
                after=max(timer.due, now),
            )
            await repo.set_schedule(
                tx,
                Schedule(guild_id, schedule.weekday, schedule.at_minute, schedule.zone, booked.id),
                epoch(now),
            )


# Learners who sat the round out (not counted among its learners).
_SITTING_OUT = frozenset({"snoozed", "has a partner", "not available"})
