"""``rules.score(a, b).total`` for every pair of a round at once, with numpy.

Same numbers as the scalar ``score`` (a test holds them equal): exact minute overlaps
from the elementary segments between everyone's interval boundaries, shared skills from
a 0/1 skill matrix. float32 products are exact here: every sum is an integer below 2^24
(at most 10,080 minutes, at most 15 skills).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.services.pairing.blossom import Bools, Ints
from bot.services.pairing.rules import (
    COMPLEMENTARY_BONUS,
    LOOKING_FOR,
    LOOKING_FOR_POINTS,
    MAX_SHARED_SKILLS,
    OVERLAP_CAP_HOURS,
    POINTS_PER_HOUR,
    POINTS_PER_SKILL,
    TRACKS,
    Candidate,
)

__all__ = ["score_matrix"]

SmallInts = npt.NDArray[np.int32]


def score_matrix(cands: Sequence[Candidate]) -> tuple[Ints, Bools]:
    """(total, complementary): n×n integer scores and the complementary-track mask. The
    diagonal is meaningless (a learner is never paired with themselves)."""
    track = np.array([TRACKS.index(c.track) for c in cands], dtype=np.int8)
    fullstack = TRACKS.index("fullstack")
    comp = (track[:, None] != track[None, :]) | (track[:, None] == fullstack)
    wants = np.array([LOOKING_FOR.index(c.looking_for) for c in cands], dtype=np.int8)
    anything = wants == LOOKING_FOR.index("any")
    agrees = (wants[:, None] == wants[None, :]) | anything[:, None] | anything[None, :]
    # Small integers: int32 is exact and halves the memory traffic of n×n arrays.
    total = np.minimum(_overlap_minutes(cands) // 60, OVERLAP_CAP_HOURS)
    total *= POINTS_PER_HOUR
    total += POINTS_PER_SKILL * np.minimum(_shared_skills(cands), MAX_SHARED_SKILLS)
    total += COMPLEMENTARY_BONUS * comp
    total += LOOKING_FOR_POINTS * agrees
    return total.astype(np.int64), comp


def _overlap_minutes(cands: Sequence[Candidate]) -> SmallInts:
    n = len(cands)
    bounds = np.unique([m for c in cands for span in c.free for m in span])
    if len(bounds) < 2:
        return np.zeros((n, n), dtype=np.int32)
    # +1 where a learner's interval starts, -1 where it ends, over the segment index;
    # the running sum says who is free in each elementary segment.
    steps = np.zeros((n, len(bounds)), dtype=np.int32)
    for i, c in enumerate(cands):
        if c.free:
            spans = np.array(c.free, dtype=np.int64)
            np.add.at(steps[i], np.searchsorted(bounds, spans[:, 0]), 1)
            np.add.at(steps[i], np.searchsorted(bounds, spans[:, 1]), -1)
    member = np.cumsum(steps, axis=1)[:, :-1].astype(np.float32)
    lengths = np.diff(bounds).astype(np.float32)
    overlap = (member * lengths) @ member.T
    minutes: SmallInts = np.rint(overlap).astype(np.int32)
    return minutes


def _shared_skills(cands: Sequence[Candidate]) -> SmallInts:
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, c in enumerate(cands):
        for skill in set(c.skills):
            rows.append(i)
            cols.append(vocabulary.setdefault(skill, len(vocabulary)))
    member = np.zeros((len(cands), max(len(vocabulary), 1)), dtype=np.float32)
    member[rows, cols] = 1
    shared: SmallInts = np.rint(member @ member.T).astype(np.int32)
    return shared
