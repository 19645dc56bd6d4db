"""Migration numbering."""

from __future__ import annotations

import pytest

from bot.db.migrate import Migration, in_order


def test_a_skipped_number_is_allowed_but_a_shared_one_is_not() -> None:
    def make(version: int, name: str) -> Migration:
        return Migration(version, f"{version:04d}_{name}.sql", "")

    assert [m.version for m in in_order([make(3, "c"), make(1, "a"), make(2, "b")])] == [1, 2, 3]
    assert [m.version for m in in_order([make(1, "a"), make(4, "d")])] == [1, 4]
    with pytest.raises(RuntimeError, match=r"0002_b\.sql and 0002_other\.sql share a number"):
        in_order([make(1, "a"), make(2, "b"), make(2, "other")])
