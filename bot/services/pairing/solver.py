"""Maximum-weight matching among the maximum-cardinality ones, exact, for a dense graph.

``best_matching(weight, valid)`` returns the pairs. How:

1. **Dummies.** Add ``d`` dummy vertices joined to every real vertex with weight 0
   (first ``d = n mod 2``). A perfect matching of the extended graph is a matching of the
   real one that leaves exactly ``d`` people out, so the best perfect matching is the best
   matching among those of maximum cardinality, provided ``d = n - 2ν`` (ν: the maximum
   cardinality). If the first run finds no perfect matching it has found ν (the blossom
   search stops at a maximum matching); run again with the right ``d``. Only rounds where
   forbidden pairs make a full pairing impossible take that second run.
2. **Warm start from the bipartite relaxation.** ``scipy.optimize.linear_sum_assignment``
   on the n×n matrix (the graph's bipartite double cover, diagonal forbidden) solves the
   fractional matching relaxation: its permutation is a set of cycles, every cycle edge
   is tight for the optimal duals, and only odd cycles are not already a matching. Duals
   come from longest paths in the assignment's residual graph (a vectorised
   Bellman-Ford). Each even cycle and each odd cycle minus one vertex gives tight matched
   edges; typically a few dozen vertices out of thousands stay exposed.
3. **Blossom algorithm** (``blossom.py``) from there, on the whole dense graph: exact,
   integer-only, and it ends with a dual certificate.

The cold start (duals = largest incident weight, nothing matched) gives the same optimum
more slowly; tests run both against brute force. Any failure of the warm start (an
infeasible assignment, a non-converging dual) falls back to the cold start.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.services.pairing.blossom import Bools, Ints, perfect_matching

_NEG = -(1 << 61)


def best_matching(weight: Ints, valid: Bools, *, warm: bool = True) -> list[tuple[int, int]]:
    """Pairs (i < j) of a maximum-weight matching among the maximum-cardinality matchings
    of the graph whose edges are ``valid`` (symmetric, no diagonal) with integer weights
    ``weight`` (symmetric, non-negative on valid edges)."""
    n = len(weight)
    if n < 2:
        return []
    dummies = n % 2
    for _ in range(2):
        w, ok = _with_dummies(weight, valid, dummies)
        start = _warm_start(w, ok) if warm else None
        dual, mate = start if start is not None else _cold_start(w, ok)
        result = perfect_matching(2 * w, ok, 2 * dual, mate)
        pairs = sorted((v, m) for v, m in enumerate(result.mate) if v < m < n)
        if result.perfect:
            return pairs
        matched = sum(1 for m in result.mate if m >= 0) // 2
        dummies = n - 2 * (matched - dummies)  # ν = matched - dummies
    raise RuntimeError("no perfect matching even with dummies")  # pragma: no cover


def _with_dummies(weight: Ints, valid: Bools, dummies: int) -> tuple[Ints, Bools]:
    n = len(weight)
    if dummies == 0:  # weights off the valid edges are never read
        return weight, valid
    m = n + dummies
    w = np.zeros((m, m), dtype=np.int64)
    w[:n, :n] = np.where(valid, weight, 0)
    ok = np.zeros((m, m), dtype=np.bool_)
    ok[:n, :n] = valid
    ok[:n, n:] = True
    ok[n:, :n] = True
    np.fill_diagonal(ok, False)
    return w, ok


def _cold_start(w: Ints, ok: Bools) -> tuple[Ints, list[int]]:
    dual = np.where(ok, w, 0).max(axis=1, initial=0).astype(np.int64)
    return dual, [-1] * len(w)


def _warm_start(w: Ints, ok: Bools) -> tuple[Ints, list[int]] | None:
    """Duals ``u + v`` of the optimal assignment and the tight matching its cycles give."""
    m = len(w)
    if m == 0:
        return np.zeros(0, dtype=np.int64), []
    cost = np.negative(w, dtype=np.float64)
    cost[~ok] = np.inf
    try:
        _, sigma = linear_sum_assignment(cost)
    except ValueError:  # no cycle cover at all
        return None
    del cost
    # Longest paths from a virtual source (Bellman-Ford, vectorised): g[j] >=
    # g[sigma[i]] + arc[i, j] for every valid (i, j), arc[i, j] = w[i, j] - w[i, sigma[i]].
    # Only rows whose source column grew in the last round are relaxed again; one buffer
    # serves every round (large temporaries cost page faults).
    arc = np.where(ok, w, _NEG)
    on = arc[np.arange(m), sigma].copy()
    arc -= on[:, None]
    g = np.zeros(m, dtype=np.int64)
    active = np.arange(m)
    buffer = np.empty_like(arc)
    for _ in range(m + 1):
        rows = buffer[: len(active)]
        np.take(arc, active, axis=0, out=rows)
        rows += g[sigma[active]][:, None]
        reach = rows.max(axis=0)
        grown = reach > g
        if not grown.any():
            break
        np.maximum(g, reach, out=g)
        active = np.flatnonzero(grown[sigma])
    else:
        return None  # a positive cycle: the assignment was not optimal
    dual = (on - g[sigma]) + g
    return dual, _cycle_matching(sigma, dual, w)


def _cycle_matching(sigma: Ints, dual: Ints, w: Ints) -> list[int]:
    """Tight matched edges from the permutation's cycles: all of an even cycle
    alternately, an odd one less its first vertex."""
    m = len(sigma)
    mate = [-1] * m
    seen = [False] * m
    for start in range(m):
        if seen[start]:
            continue
        cycle = []
        v = start
        while not seen[v]:
            seen[v] = True
            cycle.append(v)
            v = int(sigma[v])
        if len(cycle) % 2:
            cycle = cycle[1:]
        for a, b in zip(cycle[::2], cycle[1::2], strict=True):
            if dual[a] + dual[b] == 2 * w[a, b]:
                mate[a], mate[b] = b, a
    return mate
