"""Pairing-round benchmark: time to plan a round, and how much better than chance it pairs.

    python bench/pairing.py                     # 400 and 2,000 learners
    python bench/pairing.py --sizes 400 2000 --repeats 5 --shuffles 5 --seed 1

Learners are a realistic mix: 45% backend, 40% frontend, 15% fullstack; 3-8 skills drawn
from the alias table (weighted towards the track's side); looking-for spread over the
four options; availability typed as people type it ("mon-fri 18-22, sat 10-14") in one
of Africa/Lagos, Africa/Nairobi, Africa/Cairo, Europe/London, America/New_York, read for
the UTC week of 9 March 2026 (New York has just moved to summer time, London has not).
About two forbidden partners per learner (past pairs, declines, exclusions).

Prints, per size: p50/max wall time of ``plan_round`` (scores, matching, trios) over the
repeats, the round's total score against a Donut-style random shuffle (mean of several)
and a greedy best-pair-first round, and the optimal objective's parts. With
``--rustworkx N`` (default 800), sizes up to N also time ``rustworkx.max_weight_matching``
on the same weighted graph and check that it reaches the same optimum.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np

from bot.services.pairing.matching import RoundPlan, plan_round
from bot.services.pairing.rules import (
    COMPLEMENTARY_BONUS,
    MAX_REST,
    Candidate,
    Constraints,
    LookingFor,
    Track,
)
from bot.services.pairing.weights import score_matrix
from bot.time.availability import parse_availability

REFERENCE = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
ZONES = ["Africa/Lagos", "Africa/Nairobi", "Africa/Cairo", "Europe/London", "America/New_York"]
ZONE_WEIGHTS = [35, 25, 15, 15, 10]
FRONTEND = ["javascript", "typescript", "react", "nextjs", "vue", "html", "css", "sass"]
FRONTEND += ["tailwindcss", "redux", "angular", "svelte", "figma", "jest", "react-native"]
BACKEND = ["python", "django", "django-rest-framework", "flask", "fastapi", "postgresql"]
BACKEND += ["mysql", "mongodb", "redis", "nodejs", "express", "nestjs", "graphql", "docker"]
BACKEND += ["kubernetes", "aws", "ci-cd", "celery", "rabbitmq", "go", "java", "rest-api"]
SHARED = ["git", "linux", "sql", "typescript", "graphql", "docker", "rest-api"]
HOURS = [
    "mon-fri 18-22",
    "weekdays 19:00-21:30, sat 10-14",
    "daily 20-23",
    "tue,thu 7-9, sun 14-18",
    "mon,wed,fri 17-20",
    "sat 9-17, sun 12-16",
    "weekdays 6am-8am, weekends 10-12",
    "mon-thu 21-1",
    "none",
]


def learners(n: int, rng: random.Random) -> list[Candidate]:
    tracks: list[Track] = ["backend", "frontend", "fullstack"]
    wants: list[LookingFor] = ["project", "study-buddy", "code-review", "any"]
    out = []
    for uid in range(1, n + 1):
        track = rng.choices(tracks, weights=[45, 40, 15])[0]
        pool = {"backend": BACKEND, "frontend": FRONTEND, "fullstack": FRONTEND + BACKEND}[track]
        skills = rng.sample(pool, rng.randint(2, 6)) + rng.sample(SHARED, rng.randint(1, 2))
        zone = ZoneInfo(rng.choices(ZONES, weights=ZONE_WEIGHTS)[0])
        windows = parse_availability(rng.choice(HOURS))
        want = rng.choice(wants)
        cand = Candidate.from_profile(
            uid, track, dict.fromkeys(skills), want, windows, zone, reference=REFERENCE
        )
        out.append(cand)
    return out


def forbidden(n: int, rng: random.Random) -> frozenset[frozenset[int]]:
    pairs = set()
    while len(pairs) < 2 * n:
        a, b = rng.randint(1, n), rng.randint(1, n)
        if a != b:
            pairs.add(frozenset((a, b)))
    return frozenset(pairs)


def rustworkx_check(cands: list[Candidate], constraints: Constraints, plan: RoundPlan) -> str:
    """Time rustworkx's blossom on the same weighted graph; does it reach our optimum?"""
    try:
        import rustworkx as rx
    except ImportError:
        return "rustworkx not installed"
    total, comp = score_matrix(cands)
    k = (len(cands) // 2) * MAX_REST + 1
    weight = k * comp + (total - COMPLEMENTARY_BONUS * comp)
    graph = rx.PyGraph()
    graph.add_nodes_from(range(len(cands)))
    ids = [c.user_id for c in cands]
    edges = [
        (i, j, int(weight[i, j]))
        for i in range(len(cands))
        for j in range(i + 1, len(cands))
        if constraints.allows(ids[i], ids[j])
    ]
    graph.add_edges_from(edges)
    start = time.perf_counter()
    found = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    seconds = time.perf_counter() - start
    theirs = sum(int(weight[a, b]) for a, b in found)
    comp_pairs = plan.complementary_pairs
    ours = k * comp_pairs + plan.matched_score - COMPLEMENTARY_BONUS * comp_pairs
    same = "same optimum" if (theirs, len(found)) == (ours, len(plan.groups)) else "DIFFERENT"
    return f"rustworkx.max_weight_matching, same graph: {seconds:.3f} s, {same}"


def report(n: int, plan: RoundPlan, times: list[float], shuffles: list[int], greedy: int) -> None:
    shuffle_mean = statistics.mean(shuffles)
    print(
        f"n={n:>5}  plan_round p50 {statistics.median(times):6.3f} s  max {max(times):6.3f} s"
        f"  ({len(times)} runs)"
    )
    print(
        f"         total score {plan.total_score:,}  vs shuffle mean {shuffle_mean:,.0f}"
        f" (x{plan.total_score / shuffle_mean:.3f}, {len(shuffles)} shuffles,"
        f" min {min(shuffles):,} max {max(shuffles):,})"
        f"  vs greedy {greedy:,} (x{plan.total_score / greedy:.4f})"
    )
    learners_in = sum(len(g.members) for g in plan.groups)
    reasons: dict[str, int] = {}
    for u in plan.unpaired:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    print(
        f"         {len(plan.pairs)} pairs, {len(plan.trios)} trios ({learners_in} learners),"
        f" {plan.complementary_pairs} complementary pairs, unpaired: {reasons or 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 2000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--shuffles", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rustworkx", type=int, default=800, help="also time rustworkx up to N")
    args = parser.parse_args()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()},"
        f" Python {platform.python_version()}, numpy {np.__version__}"
    )
    plan_round([], Constraints())  # import and first-call costs out of the timings
    for n in args.sizes:
        rng = random.Random(args.seed + n)
        cands = learners(n, rng)
        constraints = Constraints(forbidden=forbidden(n, rng))
        times = []
        plan = None
        for _ in range(args.repeats):
            start = time.perf_counter()
            plan = plan_round(cands, constraints)
            times.append(time.perf_counter() - start)
        assert plan is not None
        shuffles = [plan.shuffle_total(random.Random(s)) for s in range(args.shuffles)]
        report(n, plan, times, shuffles, plan.greedy_total())
        if n <= args.rustworkx:
            print(f"         {rustworkx_check(cands, constraints, plan)}")


if __name__ == "__main__":
    main()
