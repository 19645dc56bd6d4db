"""Blossom bookkeeping for ``blossom.py``: labels, nested blossoms, dual variables and
least-slack edges, and the operations on them (shrink an odd cycle, expand, augment
along a path through nested blossoms).

Vertices are ``0..n-1``; non-trivial blossoms are ``n..2n-1``. Following Galil's survey
(see ``blossom.py``): a blossom lists its sub-blossoms from the base round the cycle and
the edges joining consecutive ones; ``labeledge`` is the edge through which a labelled
blossom was reached. Deep nesting is handled without recursion.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# Slack at or above this means "no edge" (forbidden pairs get a huge negative weight).
LIMIT = 1 << 60
_NO_EDGE_WEIGHT = -(1 << 61)  # doubled: forbidden pairs have slack >= LIMIT
# "No best edge yet": far above LIMIT, so the dual steps of a stage never bring it below.
NONE = 1 << 62


class Forest:
    """The search state: labels, blossoms, duals, least-slack edges, and the blossom
    operations (shrink, expand, augment through). ``blossom._Search`` drives it."""

    def __init__(self, weight: Ints, valid: Bools, dual: Ints, mate: Sequence[int]) -> None:
        n = len(weight)
        self.n = n
        self.w2 = np.multiply(weight, 2, dtype=np.int64)  # slack = d[u] + d[v] - w2[u, v]
        self.w2[~valid] = _NO_EDGE_WEIGHT
        self.d = np.zeros(2 * n, dtype=np.int64)  # vertex duals, then blossom duals
        self.d[:n] = dual
        self.mate = list(mate)
        self.label = np.zeros(2 * n, dtype=np.int8)  # 0 free, 1 S, 2 T (5: breadcrumb)
        # Per vertex: the label of its top-level blossom, and 0 where that is S (else
        # NONE), kept in step with label/inblossom so a scan needs no gathers.
        self.top = np.zeros(n, dtype=np.int8)
        self.s_penalty = np.full(n, NONE, dtype=np.int64)
        self.labeledge: list[tuple[int, int] | None] = [None] * (2 * n)
        self.inblossom = np.arange(n, dtype=np.int64)
        self.parent = np.full(2 * n, -1, dtype=np.int64)
        self.alive = np.zeros(2 * n, dtype=np.bool_)  # non-trivial blossoms in use
        self.childs: list[list[int]] = [[] for _ in range(2 * n)]
        self.edges: list[list[tuple[int, int]]] = [[] for _ in range(2 * n)]
        self.base = list(range(n)) + [-1] * n
        self.leaves: list[Ints] = [np.array([v], dtype=np.int64) for v in range(n)] + [
            np.zeros(0, dtype=np.int64)
        ] * n
        # Least-slack edges (delta 2 and 3): for a vertex not in an S-blossom, from an
        # S-vertex; for a top-level S-blossom, to another S-blossom. best_slack is kept
        # current through the dual steps.
        self.best_u = np.full(2 * n, -1, dtype=np.int64)
        self.best_v = np.full(2 * n, -1, dtype=np.int64)
        self.best_slack = np.full(2 * n, NONE, dtype=np.int64)
        self.src: dict[int, Ints] = {}  # S-blossom -> its least-slack source per target
        self.unused = list(range(2 * n - 1, n - 1, -1))
        self.queue: list[int] = []
        self.cols = np.arange(n, dtype=np.int64)

    # --- helpers -----------------------------------------------------------------------

    def _row(self, v: int) -> Ints:
        row: Ints = (self.d[v] + self.d[: self.n]) - self.w2[v]
        return row

    def _set_top(self, leaves: Ints, t: int) -> None:
        self.top[leaves] = t
        self.s_penalty[leaves] = 0 if t == 1 else NONE

    def _edge(self, b: int) -> tuple[int, int]:
        """The edge through which labelled blossom (or vertex) b got its label."""
        edge = self.labeledge[b]
        if edge is None:  # pragma: no cover - the search never asks for a root's edge
            raise RuntimeError(f"blossom {b} has no label edge")
        return edge

    def _forget_best(self, b: int) -> None:
        self.best_u[b] = -1
        self.best_slack[b] = NONE

    def _assign(self, w: int, t: int, v: int) -> None:
        b = int(self.inblossom[w])
        self.label[w] = self.label[b] = t
        edge = (v, w) if v >= 0 else None
        self.labeledge[w] = self.labeledge[b] = edge
        self._forget_best(w)
        self._forget_best(b)
        self._set_top(self.leaves[b], t)
        if t == 1:
            self.queue.extend(self.leaves[b].tolist())
        else:
            base = self.base[b]
            self._assign(self.mate[base], 1, base)

    def _scan_blossom(self, v: int, w: int) -> int:
        """Trace back from both ends of a tight S-S edge: the base of a new blossom, or -1
        when the paths reach two different roots (an augmenting path)."""
        path: list[int] = []
        base = -1
        while v != -1:
            b = int(self.inblossom[v])
            if self.label[b] & 4:
                base = self.base[b]
                break
            path.append(b)
            self.label[b] = 5
            edge = self.labeledge[b]  # to the T-blossom's base; None at a root
            v = -1 if edge is None else self._edge(int(self.inblossom[edge[0]]))[0]
            if w != -1:
                v, w = w, v
        for b in path:
            self.label[b] = 1
        return base

    def _sources(self, child: int) -> tuple[Ints, Ints]:
        """For every vertex x: the leaf of ``child`` with least slack to x, and that slack."""
        known = self.src.pop(child, None)
        if known is not None:
            safe = np.maximum(known, 0)
            current = self.d[safe] + self.d[: self.n] - self.w2[safe, self.cols]
            return known, np.where(known >= 0, current, LIMIT)
        if child < self.n:
            row = self._row(child)
            return np.where(row < LIMIT, child, -1), row
        leaves = self.leaves[child]
        block = self.d[leaves][:, None] + self.d[None, : self.n] - self.w2[leaves]
        pick = np.argmin(block, axis=0)
        slack = block[pick, self.cols]
        return np.where(slack < LIMIT, leaves[pick], -1), slack

    # --- blossoms ----------------------------------------------------------------------

    def _add_blossom(self, base: int, v: int, w: int) -> None:
        inb = self.inblossom
        bb, bv, bw = int(inb[base]), int(inb[v]), int(inb[w])
        b = self.unused.pop()
        self.base[b] = base
        self.parent[b] = -1
        self.parent[bb] = b
        path: list[int] = []
        edges: list[tuple[int, int]] = [(v, w)]
        while bv != bb:
            self.parent[bv] = b
            path.append(bv)
            edge = self._edge(bv)
            edges.append(edge)
            bv = int(inb[edge[0]])
        path.append(bb)
        path.reverse()
        edges.reverse()
        while bw != bb:
            self.parent[bw] = b
            path.append(bw)
            edge = self._edge(bw)
            edges.append((edge[1], edge[0]))
            bw = int(inb[edge[0]])
        self.childs[b], self.edges[b] = path, edges
        self.label[b] = 1
        self.labeledge[b] = self.labeledge[bb]
        self.d[b] = 0
        self.alive[b] = True
        # Sources are taken before the leaves move: T children become S here.
        sources = [self._sources(c) for c in path]
        leaves = np.concatenate([self.leaves[c] for c in path])
        self.leaves[b] = leaves
        was_t = self.top[leaves] == 2
        self.queue.extend(leaves[was_t].tolist())
        inb[leaves] = b
        self._set_top(leaves, 1)
        for c in path:
            self._forget_best(c)
        srcs = np.stack([s for s, _ in sources])
        slacks = np.stack([s for _, s in sources])
        pick = np.argmin(slacks, axis=0)
        src = srcs[pick, self.cols]
        self.src[b] = src
        slack = slacks[pick, self.cols]
        usable = (slack < LIMIT) & (self.top == 1) & (inb != b)
        self._forget_best(b)
        if usable.any():
            x = int(np.argmin(np.where(usable, slack, LIMIT)))
            self.best_u[b], self.best_v[b], self.best_slack[b] = src[x], x, slack[x]

    def _release(self, b: int) -> None:
        self.label[b] = 0
        self.labeledge[b] = None
        self._forget_best(b)
        self.childs[b], self.edges[b] = [], []
        self.base[b] = -1
        self.leaves[b] = np.zeros(0, dtype=np.int64)
        self.alive[b] = False
        self.d[b] = 0
        self.src.pop(b, None)
        self.unused.append(b)

    def _lift_children(self, b: int) -> None:
        for child in self.childs[b]:
            self.parent[child] = -1
            self.inblossom[self.leaves[child]] = child

    def _expand_at_end(self, b: int) -> None:
        work = [b]
        while work:
            x = work.pop()
            self._lift_children(x)
            work.extend(c for c in self.childs[x] if c >= self.n and self.d[c] == 0)
            self._release(x)

    def _expand_t(self, b: int) -> None:
        """Expand a T-blossom whose dual reached zero and relabel the even path through it."""
        self._lift_children(b)
        entry = self._edge(b)
        ch, ed = self.childs[b], self.edges[b]
        entrychild = int(self.inblossom[entry[1]])
        j = ch.index(entrychild)
        if j & 1:
            j -= len(ch)
            step = 1
        else:
            step = -1
        v, w = entry
        while j != 0:
            q = ed[j][1] if step == 1 else ed[j - 1][0]
            self.label[w] = self.label[q] = 0
            self._assign(w, 2, v)
            j += step
            v, w = ed[j] if step == 1 else (ed[j - 1][1], ed[j - 1][0])
            j += step
        bw = ch[j]
        self.label[w] = self.label[bw] = 2
        self.labeledge[w] = self.labeledge[bw] = (v, w)
        self._forget_best(bw)
        j += step
        while ch[j] != entrychild:
            bv = ch[j]
            j += step
            if self.label[bv] == 1:
                continue
            reached = [x for x in self.leaves[bv].tolist() if self.label[x] != 0]
            if reached:
                x = reached[0]
                self.label[x] = 0
                self.label[self.mate[self.base[bv]]] = 0
                self._assign(x, 2, self._edge(x)[0])
        for child in ch:
            self._set_top(self.leaves[child], int(self.label[child]))
        self._release(b)

    def _augment_steps(self, b: int, v: int) -> Iterator[tuple[int, int]]:
        """Rotate blossom b so that vertex v becomes its base, swapping matched edges on the
        even path; yields the sub-blossoms that need the same first."""
        t = v
        while self.parent[t] != b:
            t = int(self.parent[t])
        if t >= self.n:
            yield t, v
        ch, ed = self.childs[b], self.edges[b]
        i = j = ch.index(t)
        if i & 1:
            j -= len(ch)
            step = 1
        else:
            step = -1
        while j != 0:
            j += step
            t = ch[j]
            x, y = ed[j] if step == 1 else (ed[j - 1][1], ed[j - 1][0])
            if t >= self.n:
                yield t, x
            j += step
            t = ch[j]
            if t >= self.n:
                yield t, y
            self.mate[x], self.mate[y] = y, x
        self.childs[b], self.edges[b] = ch[i:] + ch[:i], ed[i:] + ed[:i]
        self.base[b] = self.base[self.childs[b][0]]

    def _augment_blossom(self, b: int, v: int) -> None:
        stack = [self._augment_steps(b, v)]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
            else:
                stack.append(self._augment_steps(*step))

    def _augment(self, v: int, w: int) -> None:
        for s0, j0 in ((v, w), (w, v)):
            s, j = s0, j0
            while True:
                bs = int(self.inblossom[s])
                if bs >= self.n:
                    self._augment_blossom(bs, s)
                self.mate[s] = j
                edge = self.labeledge[bs]
                if edge is None:
                    break
                bt = int(self.inblossom[edge[0]])
                s, j = self._edge(bt)
                if bt >= self.n:
                    self._augment_blossom(bt, j)
                self.mate[j] = s

    # --- the search --------------------------------------------------------------------
