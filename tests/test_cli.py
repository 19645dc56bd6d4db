"""The command line, run as a user would: ``python -m bot …`` in a subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.db.migrate import latest_version

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run_cli(env={}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DISCORD_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_malformed_setting_exits_2_and_never_prints_the_token(tmp_path: Path) -> None:
    env = {"DISCORD_TOKEN": "super-secret-token", "DEV_GUILD_ID": "abc"}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "DEV_GUILD_ID" in result.stderr
    assert "super-secret-token" not in result.stderr + result.stdout


def test_check_creates_database_at_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "nexus.db"
    env = {"DISCORD_TOKEN": "t", "DATABASE_PATH": str(path)}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"schema version {latest_version()}" in result.stdout
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()


def test_check_refuses_a_newer_database(tmp_path: Path) -> None:
    path = tmp_path / "nexus.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    result = run_cli("check", env={"DISCORD_TOKEN": "t", "DATABASE_PATH": str(path)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "newer than this version of Nexus" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_writes_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "nexus.db"
    env = {"DISCORD_TOKEN": "t", "DATABASE_PATH": str(path)}
    assert run_cli("check", env=env, cwd=tmp_path).returncode == 0
    target = tmp_path / "backup" / "copy.db"
    result = run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
