"""Pairing rounds: exact against brute force, hard constraints never broken, everyone
accounted for, trios and unpaired reasons; the solver and blossom paths on their own."""

from __future__ import annotations

import random
from functools import cache
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.pairing.blossom import BlossomResult, check_certificate, perfect_matching
from bot.services.pairing.matching import NO_PARTNER, ODD_ONE_OUT, RoundPlan, plan_round
from bot.services.pairing.rules import (
    LOOKING_FOR,
    TRACKS,
    Candidate,
    Constraints,
    LookingFor,
    OutReason,
    Track,
    score,
)
from bot.services.pairing.solver import _cold_start, _warm_start, _with_dummies, best_matching
from bot.services.pairing.weights import score_matrix

HOUR = 60
SKILLS = ("python", "django", "react", "sql", "docker", "css")
OUT_REASONS: tuple[OutReason, ...] = ("snoozed", "has a partner", "not available")


def cand(
    uid: int,
    track: Track = "backend",
    skills: tuple[str, ...] = (),
    looking_for: LookingFor = "any",
    free: tuple[tuple[int, int], ...] = (),
) -> Candidate:
    return Candidate(uid, track, skills, looking_for, free)


@st.composite
def candidates(draw: st.DrawFn, max_size: int = 12) -> list[Candidate]:
    n = draw(st.integers(0, max_size))
    out = []
    for uid in range(1, n + 1):
        cuts = sorted(set(draw(st.lists(st.integers(0, 20), max_size=4))))
        free = tuple(
            (a * 8 * HOUR, b * 8 * HOUR) for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        )
        out.append(
            cand(
                uid,
                draw(st.sampled_from(TRACKS)),
                tuple(draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=4))),
                draw(st.sampled_from(LOOKING_FOR)),
                free,
            )
        )
    return out


@st.composite
def rounds(draw: st.DrawFn) -> tuple[list[Candidate], Constraints]:
    cands = draw(candidates())
    ids = [c.user_id for c in cands]
    all_pairs = [frozenset(p) for p in combinations(ids, 2)]
    density = draw(st.sampled_from([0.0, 0.1, 0.3, 0.7]))
    forbidden = frozenset(p for p in all_pairs if draw(st.floats(0, 1)) < density)
    out = {uid: draw(st.sampled_from(OUT_REASONS)) for uid in ids if draw(st.floats(0, 1)) < 0.15}
    extra = draw(st.dictionaries(st.integers(100, 105), st.sampled_from(OUT_REASONS), max_size=2))
    return cands, Constraints(forbidden=forbidden, out={**out, **extra})


def brute_force(cands: list[Candidate], constraints: Constraints) -> tuple[int, int, int]:
    """The best (pairs, complementary pairs, score sum) over every valid matching."""
    live = [c for c in cands if c.user_id not in constraints.out]
    n = len(live)
    scores = {(i, j): score(live[i], live[j]) for i in range(n) for j in range(i + 1, n)}

    @cache
    def best(mask: int) -> tuple[int, int, int]:
        if mask == 0:
            return (0, 0, 0)
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        options = [best(rest)]
        for j in range(i + 1, n):
            if rest >> j & 1 and constraints.allows(live[i].user_id, live[j].user_id):
                p, c, s = best(rest & ~(1 << j))
                pair = scores[i, j]
                options.append((p + 1, c + pair.complementary, s + pair.total))
        return max(options)

    return best((1 << n) - 1)


def check_plan(plan: RoundPlan, cands: list[Candidate], constraints: Constraints) -> None:
    everyone = [c.user_id for c in cands] + [u for u in constraints.out if u not in cands]
    placed = [m for g in plan.groups for m in g.members]
    left = [u.user_id for u in plan.unpaired]
    assert sorted(placed + left) == sorted(set(everyone) | set(constraints.out))
    by_id = {c.user_id: c for c in cands}
    for group in plan.groups:
        assert len(group.members) in (2, 3)
        for a, b in combinations(group.members, 2):
            assert constraints.allows(a, b), f"forbidden pair {a}, {b} in {group}"
        assert all(m not in constraints.out for m in group.members)
        pair_scores = [score(by_id[a], by_id[b]).total for a, b in combinations(group.members, 2)]
        assert group.score == sum(pair_scores)
    assert plan.total_score == sum(g.score for g in plan.groups)
    for u in plan.unpaired:
        if u.user_id in constraints.out:
            assert u.reason == constraints.out[u.user_id]
        else:
            others = [c.user_id for c in cands if c.user_id not in constraints.out]
            nobody = not any(constraints.allows(u.user_id, o) for o in others)
            assert u.reason == (NO_PARTNER if nobody else ODD_ONE_OUT)


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_round_is_optimal_and_respects_every_constraint(
    case: tuple[list[Candidate], Constraints],
) -> None:
    cands, constraints = case
    plan = plan_round(cands, constraints)
    check_plan(plan, cands, constraints)
    key = (len(plan.groups), plan.complementary_pairs, plan.matched_score)
    assert key == brute_force(cands, constraints)
    for group in plan.shuffle_groups(random.Random(7)) + plan.greedy_groups():
        assert all(constraints.allows(a, b) for a, b in combinations(group.members, 2))


@settings(max_examples=200, deadline=None)
@given(candidates(max_size=10))
def test_score_matrix_equals_scalar_score(cands: list[Candidate]) -> None:
    total, comp = score_matrix(cands)
    for i, a in enumerate(cands):
        for j, b in enumerate(cands):
            if i != j:
                assert total[i, j] == score(a, b).total
                assert comp[i, j] == score(a, b).complementary


# --- the solver on its own: warm and cold start, against brute force ---------------------


def brute_matching(weight: np.ndarray, valid: np.ndarray) -> tuple[int, int]:
    n = len(weight)

    @cache
    def best(mask: int) -> tuple[int, int]:
        if mask == 0:
            return (0, 0)
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        options = [best(rest)]
        for j in range(i + 1, n):
            if rest >> j & 1 and valid[i, j]:
                p, w = best(rest & ~(1 << j))
                options.append((p + 1, w + int(weight[i, j])))
        return max(options)

    return best((1 << n) - 1)


@st.composite
def graphs(draw: st.DrawFn, max_size: int = 12) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(0, max_size))
    top = draw(st.sampled_from([1, 3, 50, 10_000]))
    density = draw(st.sampled_from([0.2, 0.5, 0.8, 1.0]))
    weight = np.zeros((n, n), dtype=np.int64)
    valid = np.zeros((n, n), dtype=np.bool_)
    for i, j in combinations(range(n), 2):
        weight[i, j] = weight[j, i] = draw(st.integers(0, top))
        valid[i, j] = valid[j, i] = draw(st.floats(0, 1)) < density
    return weight, valid


@settings(max_examples=200, deadline=None)
@given(graphs(), st.booleans())
def test_solver_is_exact_warm_or_cold(graph: tuple[np.ndarray, np.ndarray], warm: bool) -> None:
    weight, valid = graph
    pairs = best_matching(weight, valid, warm=warm)
    assert all(valid[a, b] for a, b in pairs)
    assert len({v for p in pairs for v in p}) == 2 * len(pairs)
    found = (len(pairs), sum(int(weight[a, b]) for a, b in pairs))
    assert found == brute_matching(weight, valid)


@settings(max_examples=100, deadline=None)
@given(graphs(max_size=9), st.booleans())
def test_blossom_ends_with_a_certificate(graph: tuple[np.ndarray, np.ndarray], warm: bool) -> None:
    weight, valid = graph
    w, ok = _with_dummies(weight, valid, len(weight) % 2)
    start = _warm_start(w, ok) if warm else None
    dual, mate = start if start is not None else _cold_start(w, ok)
    result = perfect_matching(2 * w, ok, 2 * dual, mate)
    if result.perfect:
        check_certificate(2 * w, ok, result)


def test_medium_graphs_agree_with_rustworkx() -> None:
    """Nested blossoms need more vertices than brute force can take; rustworkx's blossom
    (an independent implementation) is the oracle there."""
    rx = pytest.importorskip("rustworkx")
    rng = np.random.default_rng(3)
    for trial in range(40):
        n = int(rng.integers(20, 70))
        weight = rng.integers(0, int(rng.choice([3, 100, 5000])) + 1, size=(n, n))
        weight = np.triu(weight, 1) + np.triu(weight, 1).T
        valid = rng.random((n, n)) < rng.uniform(0.1, 1.0)
        valid = np.triu(valid, 1) | np.triu(valid, 1).T
        graph = rx.PyGraph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(
            [(i, j, int(weight[i, j])) for i, j in zip(*np.nonzero(np.triu(valid, 1)), strict=True)]
        )
        expected = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
        want = (len(expected), sum(int(weight[a, b]) for a, b in expected))
        for warm in (True, False):
            pairs = best_matching(weight, valid, warm=warm)
            assert (len(pairs), sum(int(weight[a, b]) for a, b in pairs)) == want, (trial, warm)


def test_no_perfect_matching_takes_the_dummy_path() -> None:
    # A star: the centre can only take one leaf; the rest must stay out.
    weight = np.full((5, 5), 7, dtype=np.int64)
    valid = np.zeros((5, 5), dtype=np.bool_)
    valid[0, 1:] = valid[1:, 0] = True
    weight[0, 3] = weight[3, 0] = 9
    assert best_matching(weight, valid) == [(0, 3)]
    assert best_matching(weight, valid, warm=False) == [(0, 3)]
    # No perfect matching, and the first (perfect-matching) attempt's maximum matching
    # weighs 12: the run with the right number of dummies finds the best one, 14.
    edges = {(0, 5): 1, (1, 4): 10, (1, 6): 6, (2, 7): 1, (4, 7): 7}
    weight = np.zeros((8, 8), dtype=np.int64)
    valid = np.zeros((8, 8), dtype=np.bool_)
    for (a, b), w in edges.items():
        weight[a, b] = weight[b, a] = w
        valid[a, b] = valid[b, a] = True
    for warm in (True, False):
        assert best_matching(weight, valid, warm=warm) == [(0, 5), (1, 6), (4, 7)]


# --- rounds: what users see -------------------------------------------------------------


def test_complementary_pairs_first_even_when_scores_add_up_otherwise() -> None:
    # Frontenders 1, 2 and backend 3 + fullstack 4 each fit perfectly within their group
    # and not at all across. Summing scores would pick 1-2 and 3-4 (4076 + 9076 = 13152),
    # one complementary pair; the round wants both pairs complementary (2 x 5000).
    front = tuple(f"front{i}" for i in range(15))
    back = tuple(f"back{i}" for i in range(15))
    cands = [
        cand(1, "frontend", front, "project", ((0, 40 * HOUR),)),
        cand(2, "frontend", front, "project", ((0, 40 * HOUR),)),
        cand(3, "backend", back, "code-review", ((50 * HOUR, 90 * HOUR),)),
        cand(4, "fullstack", back, "code-review", ((50 * HOUR, 90 * HOUR),)),
    ]
    assert score(cands[0], cands[1]).total + score(cands[2], cands[3]).total == 13152
    plan = plan_round(cands, Constraints())
    assert plan.complementary_pairs == 2
    assert plan.total_score == plan.matched_score == 10000
    assert [g.members for g in plan.pairs] in ([(1, 3), (2, 4)], [(1, 4), (2, 3)])


def test_pairing_everyone_comes_before_complementary_tracks() -> None:
    # 1-2 complementary; 3 and 4 can only pair with 1 and 2 (same track each).
    cands = [cand(1, "frontend"), cand(2, "backend"), cand(3, "frontend"), cand(4, "backend")]
    forbidden = frozenset(frozenset(p) for p in [(3, 4), (3, 2), (4, 1)])
    plan = plan_round(cands, Constraints(forbidden=forbidden))
    assert [g.members for g in plan.pairs] == [(1, 3), (2, 4)]
    assert plan.complementary_pairs == 0 and plan.unpaired == ()


def test_odd_learner_joins_the_pair_they_score_best_with() -> None:
    cands = [
        cand(1, "frontend", ("react",)),
        cand(2, "backend", ("django",)),
        cand(3, "frontend", ("vue",)),
        cand(4, "backend", ("go",)),
        cand(5, "fullstack", ("django", "go", "sql"), free=((0, 3 * HOUR),)),
    ]
    cands[3] = cand(4, "backend", ("go", "sql"), free=((0, 3 * HOUR),))
    plan = plan_round(cands, Constraints())
    assert len(plan.pairs) == 1 and len(plan.trios) == 1 and plan.unpaired == ()
    trio = plan.trios[0]
    assert 4 in trio.members and 5 in trio.members
    by_id = {c.user_id: c for c in cands}
    assert trio.score == sum(
        score(by_id[a], by_id[b]).total for a, b in combinations(trio.members, 2)
    )
    assert plan.total_score == trio.score + plan.pairs[0].score


def test_three_learners_make_one_trio() -> None:
    plan = plan_round(
        [cand(1, "frontend"), cand(2, "backend"), cand(3, "fullstack")], Constraints()
    )
    assert plan.pairs == () and [set(g.members) for g in plan.trios] == [{1, 2, 3}]


def test_unpaired_reasons() -> None:
    cands = [cand(i, "frontend" if i % 2 else "backend") for i in range(1, 7)]
    forbidden = frozenset(frozenset((6, i)) for i in range(1, 6))  # 6: nobody allowed
    forbidden |= {frozenset((5, 1)), frozenset((5, 2)), frozenset((5, 3))}  # 5: only 4
    out: dict[int, OutReason] = {2: "snoozed", 3: "has a partner", 9: "not available"}
    plan = plan_round(cands, Constraints(forbidden=forbidden, out=out))
    # 1, 4, 5 take part: 4 pairs with 1 or 5, and the other may not join them (1-5).
    assert len(plan.pairs) == 1 and plan.trios == () and 4 in plan.pairs[0].members
    left_out = ({1, 5} - set(plan.pairs[0].members)).pop()
    expected = [(2, "snoozed"), (3, "has a partner"), (6, NO_PARTNER), (9, "not available")]
    expected.append((left_out, ODD_ONE_OUT))
    assert [(u.user_id, u.reason) for u in plan.unpaired] == sorted(expected)


def test_duplicate_learners_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        plan_round([cand(1), cand(1)], Constraints())


def test_shuffle_and_greedy_scores() -> None:
    cands = [
        cand(1, "frontend", free=((0, 10 * HOUR),)),
        cand(2, "frontend", free=((0, 10 * HOUR),)),
        cand(3, "backend"),
        cand(4, "backend"),
    ]
    plan = plan_round(cands, Constraints())
    assert plan.total_score == 2 * 5001  # two cross pairs
    assert plan.greedy_total() == 2 * 5001  # 5001 edges come before 1-2's 1001
    totals = {plan.shuffle_total(random.Random(seed)) for seed in range(30)}
    assert totals == {2 * 5001, 1001 + 1}  # neighbours: cross pairs, or 1-2 and 3-4


def test_shuffle_skips_forbidden_neighbours_and_makes_trios() -> None:
    cands = [cand(i) for i in range(1, 6)]
    forbidden = frozenset({frozenset((1, 2)), frozenset((3, 4))})
    plan = plan_round(cands, Constraints(forbidden=forbidden))
    for seed in range(20):
        groups = plan.shuffle_groups(random.Random(seed))
        members = [m for g in groups for m in g.members]
        assert len(members) == len(set(members)) == 5  # the fifth always finds a pair
        for g in groups:
            assert all(frozenset(p) not in forbidden for p in combinations(g.members, 2))


def _certified_square() -> tuple[np.ndarray, np.ndarray, BlossomResult]:
    """Four learners, every pair allowed: a perfect matching with its certificate."""
    weight = np.array([[0, 5, 1, 1], [5, 0, 1, 1], [1, 1, 0, 5], [1, 1, 5, 0]], dtype=np.int64)
    valid = ~np.eye(4, dtype=bool)
    dual, mate = _cold_start(weight, valid)
    result = perfect_matching(2 * weight, valid, 2 * dual, mate)
    check_certificate(2 * weight, valid, result)  # the untouched certificate holds
    return 2 * weight, valid, result


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("negative blossom", "a blossom dual is negative"),
        ("negative slack", "an edge has negative slack"),
        ("not perfect", "not perfect"),
        ("invalid edge", "not a matching of valid edges"),
        ("one-sided mate", "not a matching of valid edges"),
        ("not tight", "a matched edge is not tight"),
        ("blossom not full", "a blossom with a dual is not full"),
    ],
)
def test_the_certificate_check_refuses_each_kind_of_false_proof(tamper: str, message: str) -> None:
    """The oracle the solver is held to must itself refuse a wrong proof."""
    weight, valid, result = _certified_square()
    mate, dual, blossoms = list(result.mate), result.dual.copy(), list(result.blossoms)
    valid = valid.copy()
    if tamper == "negative blossom":
        blossoms.append(([0, 1, 2], -1))
    elif tamper == "negative slack":
        dual[0] -= 100
    elif tamper == "not perfect":
        mate[0] = -1
    elif tamper == "invalid edge":
        valid[0, mate[0]] = valid[mate[0], 0] = False
    elif tamper == "one-sided mate":
        first = mate[0]
        mate[0] = next(v for v in range(1, 4) if v != first)
    elif tamper == "not tight":
        dual += 1  # every slack grows by 2: still feasible, no longer tight
    else:
        unmatched_inside = [0, 2]  # 0 and 2 are matched to others
        assert mate[0] != 2
        blossoms.append((unmatched_inside, 1))
    with pytest.raises(AssertionError, match=f"^{message}$"):
        check_certificate(weight, valid, BlossomResult(mate, dual, blossoms))


def test_a_blossom_with_a_zero_dual_needs_nothing_more() -> None:
    weight, valid, result = _certified_square()
    check_certificate(
        weight, valid, BlossomResult(result.mate, result.dual, [*result.blossoms, ([0, 2], 0)])
    )
