"""What ``DATABASE_PATH`` problems are called, where the command-line tests cannot go
(the suite may run as root, who may write anywhere)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bot.startup import database_problem

CANNOT_OPEN = sqlite3.OperationalError("unable to open database file")


def test_a_directory_this_user_may_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    problem = database_problem(tmp_path / "nexus.db", CANNOT_OPEN)
    assert problem == f"the directory {tmp_path} is not writable by this user"


def test_a_file_this_user_may_not_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nexus.db").touch()
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    problem = database_problem(tmp_path / "nexus.db", CANNOT_OPEN)
    assert problem == f"{tmp_path / 'nexus.db'} may not be read and written by this user"


def test_another_process_holding_the_lock(tmp_path: Path) -> None:
    locked = sqlite3.OperationalError("database is locked")
    problem = database_problem(tmp_path / "nexus.db", locked)
    assert "locked by another process" in problem
