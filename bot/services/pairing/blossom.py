"""Maximum-weight perfect matching on a dense graph: Edmonds' blossom algorithm.

The primal-dual method as described by Galil ("Efficient Algorithms for Finding Maximum
Matching in Graphs", ACM Computing Surveys, 1986), for *perfect* matchings, with two
changes that make it fast on a round's complete graph of a few thousand learners:

* **Warm start.** It accepts any feasible dual and any matching of tight edges, so the
  caller can start from the optimum of the bipartite relaxation (``solver.py``): a few
  dozen vertices are left exposed instead of all of them, and a stage runs per two of
  them.
* **Dense rows.** Edges are never listed: scanning a vertex computes its whole row of
  slacks with numpy, and the least-slack bookkeeping (delta 2 and 3) and dual updates
  are vectorised, so the Python-level work per step is proportional to the number of
  tight edges met, not to the degree.

Conventions: ``weight`` holds *doubled* integer weights (even numbers), ``dual`` even
integers, and the slack of an edge between two top-level blossoms is
``dual[u] + dual[v] - 2 * weight[u, v]``; it must start non-negative on every valid edge,
and every edge of the starting matching must have slack 0. Integer arithmetic
throughout, so the result is exact. Vertex duals are free (perfect matching), blossom
duals stay non-negative. If the graph has no perfect matching the search stops at a
maximum-cardinality matching (the caller then adds dummy vertices and runs again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.services.pairing.forest import LIMIT, NONE, Bools, Forest, Ints

__all__ = ["LIMIT", "BlossomResult", "Bools", "Ints", "check_certificate", "perfect_matching"]


@dataclass(frozen=True)
class BlossomResult:
    """``mate[v]`` is v's partner or -1; ``dual`` the final vertex duals and ``blossoms``
    the (leaves, dual) of every non-trivial blossom with a positive dual: together an
    optimality certificate (see ``check_certificate``)."""

    mate: list[int]
    dual: Ints
    blossoms: list[tuple[list[int], int]]

    @property
    def perfect(self) -> bool:
        return all(m >= 0 for m in self.mate)


class _Search(Forest):
    def _scan(self, v: int) -> bool:
        """Scan S-vertex v: follow its tight edges, record its least-slack ones. True when
        the matching was augmented."""
        row = self._row(v)
        row[self.leaves[int(self.inblossom[v])]] = LIMIT  # edges inside v's own blossom
        for w in np.flatnonzero(row == 0).tolist():
            bv, bw = int(self.inblossom[v]), int(self.inblossom[w])
            if bv == bw:
                continue
            lw = self.label[bw]
            if lw == 0:
                self._assign(w, 2, v)
            elif lw == 1:
                base = self._scan_blossom(v, w)
                if base < 0:
                    self._augment(v, w)
                    return True
                self._add_blossom(base, v, w)
            elif self.label[w] == 0:
                self.label[w] = 2
                self.labeledge[w] = (v, w)
        n = self.n
        bv = int(self.inblossom[v])
        row[self.leaves[bv]] = LIMIT  # v's blossom may have grown
        to_s = row + self.s_penalty
        x = int(np.argmin(to_s))
        if to_s[x] < min(LIMIT, self.best_slack[bv]):
            self.best_u[bv], self.best_v[bv], self.best_slack[bv] = v, x, to_s[x]
        better = (row < self.best_slack[:n]) & (self.top != 1) & (self.label[:n] == 0)
        if better.any():
            self.best_u[:n][better] = v
            self.best_v[:n][better] = self.cols[better]
            self.best_slack[:n][better] = row[better]
        return False

    def _dual_step(self) -> bool:
        """Change the duals by the largest amount that keeps them feasible; False when
        nothing can change (no perfect matching: the matching is maximum)."""
        n, d, inb = self.n, self.d, self.inblossom
        top = self.top
        delta, kind, target = LIMIT, 0, (-1, -1)
        bs = self.best_slack
        free = np.where(top == 0, bs[:n], NONE)
        x = int(np.argmin(free))
        if free[x] < LIMIT:
            delta, kind, target = int(free[x]), 2, (int(self.best_u[x]), x)
        is_top = np.concatenate([inb == self.cols, self.alive[n:] & (self.parent[n:] < 0)])
        s_top = np.where(is_top & (self.label == 1), bs, NONE)
        b = int(np.argmin(s_top))
        if s_top[b] < LIMIT:
            if s_top[b] % 2:  # pragma: no cover - even inputs keep S-vertices in step
                raise RuntimeError("S-vertices lost their common parity")
            if s_top[b] // 2 < delta:
                delta, kind, target = int(s_top[b]) // 2, 3, (int(self.best_u[b]), -1)
        t_top = self.alive & (self.parent < 0) & (self.label == 2)
        if t_top.any():
            ids = np.flatnonzero(t_top)
            k = int(np.argmin(d[ids]))
            if d[ids[k]] < delta:
                delta, kind, target = int(d[ids[k]]), 4, (int(ids[k]), -1)
        if kind == 0:
            return False
        shift = delta * ((top == 2).astype(np.int64) - (top == 1).astype(np.int64))
        d[:n] += shift
        blossoms = self.alive & (self.parent < 0)
        d[blossoms & (self.label == 1)] += delta
        d[blossoms & (self.label == 2)] -= delta
        # Every recorded best edge starts at an S-vertex (-delta); the other end moves
        # with its own label. Blossom entries are S-S (-2 delta) when they are read.
        bs[:n] += shift - delta
        bs[n:] -= 2 * delta
        if kind == 4:
            self._expand_t(target[0])
        else:
            self.queue.append(target[0])
        return True

    def run(self) -> None:
        n = self.n
        while True:
            self.label[:] = 0
            self.top[:] = 0
            self.s_penalty[:] = NONE
            self.labeledge = [None] * (2 * n)
            self.best_u[:] = -1
            self.best_slack[:] = NONE
            self.src.clear()
            self.queue.clear()
            exposed = [v for v in range(n) if self.mate[v] < 0]
            if not exposed:
                return
            for v in exposed:
                if self.label[self.inblossom[v]] == 0:
                    self._assign(v, 1, -1)
            augmented = False
            while not augmented:
                while self.queue and not augmented:
                    augmented = self._scan(self.queue.pop())
                if not augmented and not self._dual_step():
                    return
            top_s = self.alive & (self.parent < 0) & (self.label == 1)
            for b in np.flatnonzero(top_s & (self.d == 0)).tolist():
                self._expand_at_end(b)


def perfect_matching(weight: Ints, valid: Bools, dual: Ints, mate: Sequence[int]) -> BlossomResult:
    """Maximum-weight perfect matching (see the module docstring for the conventions)."""
    n = len(weight)
    if np.any((weight & 1).astype(np.bool_) & valid) or np.any(dual & 1):
        raise ValueError("weights and duals must be even (double them)")
    search = _Search(weight, valid, dual, mate)
    if n:
        slack = np.add.outer(dual, dual)
        slack -= search.w2  # forbidden pairs: far above 0
        if slack.min() < 0:
            raise ValueError("the starting duals are not feasible")
        for v, m in enumerate(search.mate):
            if m >= 0 and (search.mate[m] != v or not valid[v, m] or slack[v, m] != 0):
                raise ValueError("the starting matching must use tight valid edges")
        del slack
        search.run()
    blossoms = [
        (search.leaves[b].tolist(), int(search.d[b]))
        for b in np.flatnonzero(search.alive).tolist()
        if search.d[b] > 0
    ]
    return BlossomResult(search.mate, search.d[:n].copy(), blossoms)


def check_certificate(weight: Ints, valid: Bools, result: BlossomResult) -> None:
    """Raise AssertionError unless ``result`` proves its matching is a maximum-weight
    perfect matching: dual feasible, blossom duals non-negative, matched edges tight."""
    slack = result.dual[:, None] + result.dual[None, :] - 2 * weight
    for leaves, z in result.blossoms:
        _require(z >= 0, "a blossom dual is negative")
        slack[np.ix_(leaves, leaves)] += 2 * z
    _require(bool(np.all(slack[valid] >= 0)), "an edge has negative slack")
    for v, m in enumerate(result.mate):
        _require(m >= 0, "not perfect")
        _require(result.mate[m] == v and bool(valid[v, m]), "not a matching of valid edges")
        _require(slack[v, m] == 0, "a matched edge is not tight")
    for leaves, z in result.blossoms:
        inside = set(leaves)
        full = sum(1 for v in leaves if result.mate[v] in inside) == len(leaves) - 1
        _require(z == 0 or full, "a blossom with a dual is not full")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)
