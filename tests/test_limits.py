"""``pack_lines``: the same blocks as the obvious quadratic packing, in linear time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.ui.limits import pack_lines, shorten


def packed_the_obvious_way(lines: list[str], limit: int) -> list[str]:
    blocks: list[str] = []
    current = ""
    for line in lines:
        line = shorten(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            blocks.append(current)
            candidate = line
        current = candidate
    if current:
        blocks.append(current)
    return blocks


@given(
    st.lists(st.text(alphabet="ab <@>1. ", max_size=40), max_size=60),
    st.integers(min_value=8, max_value=120),
)
def test_pack_lines_matches_the_obvious_packing(lines: list[str], limit: int) -> None:
    blocks = pack_lines(lines, limit)
    assert blocks == packed_the_obvious_way(lines, limit)
    assert all(len(block) <= limit for block in blocks)


def test_a_long_roster_fills_blocks_to_the_limit() -> None:
    lines = [f"{n}. <@{9_000_000_000 + n}>" for n in range(1, 5001)]
    blocks = pack_lines(lines, 1024)
    assert "\n".join(blocks) == "\n".join(lines)
    assert all(1024 - 25 < len(block) <= 1024 for block in blocks[:-1])
