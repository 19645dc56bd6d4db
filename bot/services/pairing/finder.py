"""``/pair find`` without redoing the server's work on every call.

What a call needs is mostly the same for everyone in the server: every profile as a
matcher's candidate, who may never be matched with whom, who sits out. ``FindCache``
keeps that per server (``Server``), tagged with the server's two pairing counters, which
the database's triggers move with every change to what it is made of (migration 0015):
``profiles`` for the profiles, ``links`` for exclusions, pairs and declined requests. A
call reads the counters (one row by key) and reads again only the part whose counter
moved, whichever process made the change.

Some of it also depends on the time: candidates on the week (hours are read for the UTC
week containing "now": a ``Layout`` per week), sitting out on snoozes ending, forbidden
pairs on pairings and declines leaving the last 12 weeks (a ``View``, with the span of
time it holds for: from when it was made to the first instant any of those changes).
Outside its span a view is made again, from what is in memory.

A view ranks with numpy: every candidate's score for the asker at once, then the best
few (a partial sort), then their reasons, worded by ``rules.score`` as before. The order
is ``rules.top_matches``'s: score, then more overlap, then the lower user id.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.db.pair_profiles import Profile
from bot.services.pairing import rules, terms
from bot.time.availability import week_start

if TYPE_CHECKING:
    import numpy as np

WEEK = timedelta(days=7)
TICK = timedelta(microseconds=1)  # the clock's resolution
NEVER = datetime.max.replace(tzinfo=UTC)
SERVERS = 64  # servers kept, the least recently asked dropped first
_TRACK = {track: i for i, track in enumerate(rules.TRACKS)}
_WANTS = {wants: i for i, wants in enumerate(rules.LOOKING_FOR)}
_COMPLEMENTARY = [[rules.complementary(a, b) for b in rules.TRACKS] for a in rules.TRACKS]
_AGREES = [[rules.looking_for_agrees(a, b) for b in rules.LOOKING_FOR] for a in rules.LOOKING_FOR]


@dataclass(frozen=True)
class Facts:
    """What a server's hard constraints are made of, as read: every pairing (members,
    made at, ended), every declined request (requester, decliner, when), every
    exclusion (author, excluded), and who has an active partner."""

    history: tuple[tuple[tuple[int, ...], int, bool], ...] = ()
    declined: tuple[tuple[int, int, int], ...] = ()
    excluded: tuple[tuple[int, int], ...] = ()
    partnered: frozenset[int] = frozenset()

    def constraints(self, everyone: list[Profile], *, now: datetime) -> rules.Constraints:
        """The hard constraints now: pairs never to match (paired or declined in the
        last 12 weeks, ended, excluded either way) and who sits out (snoozed,
        unavailable, already partnered)."""
        paired = [
            (a, b, _at(made))
            for members, made, _ended in self.history
            for a in members
            for b in members
            if a < b
        ]
        ended = [
            (a, b)
            for members, _made, ended in self.history
            if ended
            for a in members
            for b in members
        ]
        declined = [(a, b, _at(when)) for a, b, when in self.declined]
        forbidden = rules.forbidden_pairs(
            now=now, paired=paired, declined=declined, ended=ended, excluded=self.excluded
        )
        out: dict[int, rules.OutReason] = {}
        for profile in everyone:
            if not profile.available:
                out[profile.user_id] = "not available"
            elif not terms.taking_partners(profile, now):
                out[profile.user_id] = "snoozed"
            elif profile.user_id in self.partnered:
                out[profile.user_id] = "has a partner"
        return rules.Constraints(forbidden=forbidden, out=out)

    def changes_at(self, everyone: list[Profile], *, now: datetime) -> datetime:
        """The first instant after ``now`` at which ``constraints`` may answer
        differently with nothing written: a pairing or a decline leaving the 12 weeks
        (``rules.forbidden_pairs`` keeps it while ``now <= when + RECENT``), a snooze
        ending (``terms.taking_partners``)."""
        since = now - rules.RECENT
        until = NEVER
        whens = [made for _members, made, _ended in self.history]
        whens += [when for _a, _b, when in self.declined]
        for when in whens:
            at = _at(when)
            if at >= since:
                until = min(until, at + rules.RECENT + TICK)
        stamp = now.timestamp()
        for profile in everyone:
            snoozed = profile.snoozed_until
            if profile.available and snoozed is not None and snoozed > stamp:
                until = min(until, _at(snoozed))
        return until


class Layout:
    """A server's profiles as candidates for one week, laid out for ranking: the same
    until a profile changes or the week turns."""

    def __init__(self, everyone: list[Profile], week: datetime) -> None:
        import numpy as np  # loaded on the first /pair find, not at start-up

        self.week = week
        self.candidates = terms.candidates(everyone, week)
        n = len(self.candidates)
        self.index = {c.user_id: i for i, c in enumerate(self.candidates)}
        # Hours: one bit per minute of the week, one mask per distinct set of hours.
        groups: dict[tuple[rules.Interval, ...], int] = {}
        self.group = np.array(
            [groups.setdefault(c.free, len(groups)) for c in self.candidates], dtype=np.int64
        )
        self.masks = [_bits(free) for free in groups]
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for i, c in enumerate(self.candidates):
            for skill in c.skills:
                rows.append(i)
                columns.append(self.vocabulary.setdefault(skill, len(self.vocabulary)))
        self.skills = np.zeros((n, max(len(self.vocabulary), 1)), dtype=bool)
        self.skills[rows, columns] = True  # a skill listed twice still counts once
        self.track = [_TRACK[c.track] for c in self.candidates]
        self.wants = [_WANTS[c.looking_for] for c in self.candidates]
        # Row t: whether each candidate's track complements track t (0 or 1); likewise
        # whether each one's looking-for agrees with looking-for w.
        self.complements = np.array(_COMPLEMENTARY, dtype=np.int64)[:, self.track]
        self.agrees = np.array(_AGREES, dtype=np.int64)[:, self.wants]
        # Ties: the lower user id first (candidates are in user id order).
        self.later = np.arange(n - 1, -1, -1, dtype=np.int64)


class View:
    """A layout with the server's constraints as they stand from ``since`` until just
    before ``until``."""

    def __init__(
        self, layout: Layout, everyone: list[Profile], facts: Facts, now: datetime
    ) -> None:
        import numpy as np

        self.layout = layout
        self.since = now
        self.until = min(layout.week + WEEK, facts.changes_at(everyone, now=now))
        constraints = facts.constraints(everyone, now=now)
        index = layout.index
        self._out = np.zeros(len(index), dtype=bool)
        self._out[[index[u] for u in constraints.out if u in index]] = True
        self._forbidden: dict[int, list[int]] = {}
        for a, b in constraints.forbidden:
            if a in index and b in index:
                self._forbidden.setdefault(a, []).append(index[b])
                self._forbidden.setdefault(b, []).append(index[a])

    def holds_at(self, now: datetime) -> bool:
        return self.since <= now < self.until

    def top(self, user_id: int, limit: int) -> list[rules.Suggestion]:
        """``rules.top_matches`` for ``user_id`` (who must be a candidate)."""
        import numpy as np

        lay = self.layout
        n = len(lay.candidates)
        if limit <= 0 or n < 2:
            return []
        me = lay.index[user_id]
        asker = lay.candidates[me]
        mine = lay.masks[int(lay.group[me])]
        overlaps = np.fromiter(((mine & mask).bit_count() for mask in lay.masks), np.int64)
        minutes = overlaps[lay.group]
        shared = lay.skills[:, sorted({lay.vocabulary[s] for s in asker.skills})].sum(axis=1)
        total = (
            rules.COMPLEMENTARY_BONUS * lay.complements[lay.track[me]]
            + rules.POINTS_PER_HOUR * np.minimum(minutes // 60, rules.OVERLAP_CAP_HOURS)
            + rules.POINTS_PER_SKILL * np.minimum(shared, rules.MAX_SHARED_SKILLS)
            + rules.LOOKING_FOR_POINTS * lay.agrees[lay.wants[me]]
        )
        key: Any = (total * (rules.WEEK_MINUTES + 1) + minutes) * n + lay.later
        key[self._out] = -1
        key[me] = -1
        key[self._forbidden.get(user_id, [])] = -1
        best = _largest(np, key, min(limit, n))
        return [
            rules.Suggestion(lay.candidates[i].user_id, rules.score(asker, lay.candidates[i]))
            for i in best
            if key[i] >= 0
        ]


class Server:
    """One server's profiles and constraint facts, at its two pairing counters
    (``versions``: profiles, links)."""

    def __init__(
        self,
        versions: tuple[int, int],
        everyone: list[Profile],
        facts: Facts,
        layout: Layout | None = None,
    ) -> None:
        self.versions = versions
        self.everyone = sorted(everyone, key=lambda p: p.user_id)
        self.profiles = {p.user_id: p for p in self.everyone}
        self.facts = facts
        self._layout = layout
        self._view: View | None = None

    def renewed(self, versions: tuple[int, int], facts: Facts) -> Server:
        """The same profiles (and their layout) with new constraint facts."""
        return Server(versions, self.everyone, facts, self._layout)

    def view(self, now: datetime) -> View:
        if self._view is None or not self._view.holds_at(now):
            week = week_start(now)
            if self._layout is None or self._layout.week != week:
                self._layout = Layout(self.everyone, week)
            self._view = View(self._layout, self.everyone, self.facts, now)
        return self._view


class FindCache:
    """The servers' ``Server``s, at most ``size``, the least recently asked dropped
    first."""

    def __init__(self, size: int = SERVERS) -> None:
        self.size = size
        self._servers: OrderedDict[int, Server] = OrderedDict()

    def get(self, guild_id: int) -> Server | None:
        found = self._servers.get(guild_id)
        if found is not None:
            self._servers.move_to_end(guild_id)
        return found

    def put(self, guild_id: int, server: Server) -> None:
        kept = self._servers.get(guild_id)
        if kept is not None and _ahead(kept.versions, server.versions):
            return  # a call that read older counters finished last
        self._servers[guild_id] = server
        self._servers.move_to_end(guild_id)
        while len(self._servers) > self.size:
            self._servers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._servers)


def _ahead(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Counters ``a`` newer than ``b``."""
    return a != b and a[0] >= b[0] and a[1] >= b[1]


def _bits(free: tuple[rules.Interval, ...]) -> int:
    """Intervals of minutes as an int with those minutes' bits set."""
    return sum((1 << hi) - (1 << lo) for lo, hi in free)


def _largest(np: Any, key: np.ndarray, k: int) -> list[int]:
    """The indices of the ``k`` largest keys, largest first (keys are distinct)."""
    n = len(key)
    top = np.argpartition(key, n - k)[n - k :] if k < n else np.arange(n)
    return [int(i) for i in top[np.argsort(-key[top])]]


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
