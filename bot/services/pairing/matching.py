"""A pairing round: every available learner without a partner, paired in one go.

**Objective.** Learners in ``constraints.out`` (snoozed, has a partner, not available)
and those every other learner is forbidden with ("no compatible partner") take no part.
Over the matchings of the rest that respect the hard constraints (no forbidden pair),
the round maximises, in this order:

1. the number of pairs (as many people paired as possible);
2. the number of complementary pairs (frontend ↔ backend, fullstack with anyone);
3. the sum of the pairs' scores (``rules.score``: hours of overlap, then shared skills,
   then looking-for agreement).

That is one integer weight per pair, ``K * complementary + (score - bonus)`` with
``K = (n // 2) * MAX_REST + 1`` (more than any difference the scores of a whole matching
can make), maximised over the maximum-cardinality matchings: exactly what
``solver.best_matching`` computes, at every size, through the same code. Then each
learner left over (an odd count, or forbidden pairs) joins a pair as a trio when they
may be with both: leftovers are assigned to distinct pairs maximising first the number
of trios, then the scores they add (a trio scores the sum of its three pair scores); an
assignment problem, solved exactly by ``linear_sum_assignment``. Anyone still left is
"odd one out".

**Why this algorithm.** Frontend × backend alone is bipartite and
``linear_sum_assignment`` would solve it exactly, but fullstack learners (who fit either
side and each other) and same-track pairs for the surplus make the graph general, and a
staged "assignment first, the rest after" is not optimal for any single objective. The
exact general tool is a blossom algorithm. ``rustworkx.max_weight_matching`` (Rust) on
the complete graph measured 0.65 s for 400 learners and 5.2 s for 800, growing as n³:
far too slow for 2,000. So ``solver.py`` solves the bipartite relaxation with
``linear_sum_assignment`` first (its optimum is already a matching but for a few odd
cycles) and warm-starts our own dense, numpy-vectorised blossom from it: 0.13 s for
400 and ~1.9 s for 2,000 learners (``bench/pairing.py``; same optimum as rustworkx).
There is no size-dependent switch: small rounds run the same code, which the tests
check against brute force.

``RoundPlan.shuffle_total`` and ``greedy_total`` score Donut-style random rounds and a
best-edge-first greedy round of the same learners, for comparison.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.services.pairing.blossom import Bools, Ints
from bot.services.pairing.rules import COMPLEMENTARY_BONUS, MAX_REST, Candidate, Constraints
from bot.services.pairing.solver import best_matching
from bot.services.pairing.weights import score_matrix

NO_PARTNER = "no compatible partner"
ODD_ONE_OUT = "odd one out"


@dataclass(frozen=True)
class Group:
    """A pair or a trio. A trio's first two members are the matched pair, the third
    joined them. ``score``: the sum of the scores of every two members."""

    members: tuple[int, ...]
    score: int


@dataclass(frozen=True)
class Unpaired:
    user_id: int
    reason: str


@dataclass(frozen=True)
class _Book:
    """The round's learners (indices into ``ids``), their scores and allowed pairs."""

    ids: tuple[int, ...]
    total: Ints
    valid: Bools

    def group_score(self, members: Sequence[int]) -> int:
        return sum(int(self.total[a, b]) for i, a in enumerate(members) for b in members[i + 1 :])

    def added(self, single: int, pair: Sequence[int]) -> int:
        return int(self.total[single, pair[0]] + self.total[single, pair[1]])

    def finish(self, groups: list[list[int]], singles: list[int]) -> tuple[Group, ...]:
        """Each single joins the allowed pair (the latest on ties) it adds most to."""
        for s in singles:
            options = [
                g for g in groups if len(g) == 2 and self.valid[s, g[0]] and self.valid[s, g[1]]
            ]
            if options:
                best = max(reversed(options), key=lambda g: self.added(s, g))
                best.append(s)
        return tuple(Group(tuple(self.ids[i] for i in g), self.group_score(g)) for g in groups)


@dataclass(frozen=True)
class RoundPlan:
    pairs: tuple[Group, ...]
    trios: tuple[Group, ...]
    unpaired: tuple[Unpaired, ...]
    total_score: int  # every group's score
    matched_score: int  # the matched pairs' scores (trio joiners not counted): objective 3
    complementary_pairs: int
    _book: _Book = field(repr=False, compare=False)

    @property
    def groups(self) -> tuple[Group, ...]:
        return self.pairs + self.trios

    def shuffle_groups(self, rng: random.Random) -> tuple[Group, ...]:
        """Donut's way: shuffle, pair each learner with the next one they may be paired
        with, leftovers join a pair as a trio."""
        book = self._book
        order = list(range(len(book.ids)))
        rng.shuffle(order)
        groups: list[list[int]] = []
        singles: list[int] = []
        while order:
            a = order.pop(0)
            b = next((x for x in order if book.valid[a, x]), None)
            if b is None:
                singles.append(a)
            else:
                order.remove(b)
                groups.append([a, b])
        return book.finish(groups, singles)

    def shuffle_total(self, rng: random.Random) -> int:
        return sum(g.score for g in self.shuffle_groups(rng))

    def greedy_groups(self) -> tuple[Group, ...]:
        """Best remaining allowed pair first, leftovers as trios."""
        book = self._book
        n = len(book.ids)
        a_idx, b_idx = np.nonzero(np.triu(book.valid, 1))
        order = np.argsort(-book.total[a_idx, b_idx], kind="stable")
        taken = [False] * n
        groups: list[list[int]] = []
        for a, b in zip(a_idx[order].tolist(), b_idx[order].tolist(), strict=True):
            if not taken[a] and not taken[b]:
                taken[a] = taken[b] = True
                groups.append([a, b])
        singles = [i for i in range(n) if not taken[i] and book.valid[i].any()]
        return book.finish(groups, singles)

    def greedy_total(self) -> int:
        return sum(g.score for g in self.greedy_groups())


def plan_round(candidates: Sequence[Candidate], constraints: Constraints) -> RoundPlan:
    """Pair everyone who can be paired (see the module docstring for what is optimised).
    Every learner in ``candidates`` or ``constraints.out`` appears exactly once: in a
    pair, in a trio, or unpaired with a reason."""
    ids = [c.user_id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("a learner appears twice")
    unpaired = [Unpaired(uid, reason) for uid, reason in sorted(constraints.out.items())]
    cands = [c for c in candidates if c.user_id not in constraints.out]
    total, comp = score_matrix(cands)
    book = _Book(tuple(c.user_id for c in cands), total, _allowed(cands, constraints))
    alone = [i for i in range(len(cands)) if not book.valid[i].any()]
    unpaired += [Unpaired(book.ids[i], NO_PARTNER) for i in alone]
    live = np.array(sorted(set(range(len(cands))) - set(alone)), dtype=np.int64)
    k = (len(live) // 2) * MAX_REST + 1
    weight = k * comp + (total - COMPLEMENTARY_BONUS * comp)
    if len(live) < len(cands):
        weight, valid = weight[np.ix_(live, live)], book.valid[np.ix_(live, live)]
    else:
        valid = book.valid
    matched = [(int(live[a]), int(live[b])) for a, b in best_matching(weight, valid)]
    taken = {i for pair in matched for i in pair}
    leftovers = [int(i) for i in live if int(i) not in taken]
    joins = _trios(book, matched, leftovers)
    groups = [[*pair, *([joins[p]] if p in joins else [])] for p, pair in enumerate(matched)]
    unpaired += [
        Unpaired(book.ids[i], ODD_ONE_OUT) for i in leftovers if i not in set(joins.values())
    ]
    made = sorted(
        (Group(tuple(book.ids[i] for i in g), book.group_score(g)) for g in groups),
        key=lambda g: g.members,
    )
    return RoundPlan(
        pairs=tuple(g for g in made if len(g.members) == 2),
        trios=tuple(g for g in made if len(g.members) == 3),
        unpaired=tuple(sorted(unpaired, key=lambda u: u.user_id)),
        total_score=sum(g.score for g in made),
        matched_score=sum(int(total[a, b]) for a, b in matched),
        complementary_pairs=sum(1 for a, b in matched if comp[a, b]),
        _book=book,
    )


def _allowed(cands: Sequence[Candidate], constraints: Constraints) -> Bools:
    index = {c.user_id: i for i, c in enumerate(cands)}
    valid = ~np.eye(len(cands), dtype=np.bool_)
    for pair in constraints.forbidden:
        if len(pair) != 2:
            continue
        a, b = (index.get(uid) for uid in pair)
        if a is not None and b is not None:
            valid[a, b] = valid[b, a] = False
    return valid


def _trios(book: _Book, pairs: list[tuple[int, int]], leftovers: list[int]) -> dict[int, int]:
    """Pair index -> the leftover joining it: most trios, then most added score."""
    if not pairs or not leftovers:
        return {}
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    rows = np.array(leftovers)
    ok = book.valid[rows][:, a] & book.valid[rows][:, b]
    added = book.total[rows][:, a] + book.total[rows][:, b]
    big = float(added.clip(min=0).sum() + 1)  # one more trio beats any score difference
    value = np.where(ok, added + big, -np.inf)
    stay = np.full((len(rows), len(rows)), -np.inf)
    np.fill_diagonal(stay, 0.0)
    rows_, cols_ = linear_sum_assignment(np.hstack([value, stay]), maximize=True)
    chosen = zip(rows_.tolist(), cols_.tolist(), strict=True)
    return {col: leftovers[row] for row, col in chosen if col < len(pairs)}
