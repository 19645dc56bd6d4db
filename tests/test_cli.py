"""The command line, run as a user would: ``python -m bot …`` in a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.__main__ import (
    EXIT_BACKUP_REFUSED,
    EXIT_DATABASE,
    EXIT_STATUS,
    EXIT_UNHEALTHY,
    EXIT_UNREACHABLE,
)
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


def one_line(result: subprocess.CompletedProcess[str], status: int) -> str:
    """The failure as the operator sees it: the exit status, and stderr one line (the
    commands here run with LOG_LEVEL=WARNING, so a logged warning or error shows too)."""
    assert result.returncode == status, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("nexus-bot: ")
    return lines[0]


QUIET = {"LOG_LEVEL": "WARNING"}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    env = {**QUIET, "DISCORD_TOKEN": "t", "DATABASE_PATH": str(path)}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert "newer than this version of Nexus" in one_line(result, EXIT_DATABASE)


def test_backup_writes_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "nexus.db"
    env = {"DISCORD_TOKEN": "t", "DATABASE_PATH": str(path)}
    assert run_cli("check", env=env, cwd=tmp_path).returncode == 0
    target = tmp_path / "backup" / "copy.db"
    result = run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()


@pytest.mark.parametrize("command", ["run", "sync"])
def test_unreachable_discord_is_one_line_naming_the_address(tmp_path: Path, command: str) -> None:
    base = f"http://127.0.0.1:{closed_port()}/api/v10"
    env = {**QUIET, "DISCORD_TOKEN": "t", "DISCORD_API_BASE": base}
    line = one_line(run_cli(command, env=env, cwd=tmp_path), EXIT_UNREACHABLE)
    assert f"cannot reach Discord's API at {base}" in line
    assert "DISCORD_API_BASE" in line


def not_sqlite(tmp_path: Path) -> str:
    (tmp_path / "notes.txt").write_text("not a database, just notes\n" * 100)
    return "notes.txt"


def parent_is_a_file(tmp_path: Path) -> str:
    (tmp_path / "data").write_text("a file where the data directory should be")
    return "data/nexus.db"


def a_directory(tmp_path: Path) -> str:
    (tmp_path / "data").mkdir()
    return "data"


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (a_directory, "data is a directory"),
        (parent_is_a_file, "data is not a directory"),
        (not_sqlite, "notes.txt is not a SQLite database"),
    ],
)
def test_unusable_database_path_is_one_line_saying_what_relative_paths_mean(
    tmp_path: Path, make: object, problem: str
) -> None:
    relative = make(tmp_path)  # type: ignore[operator]
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    env = {**QUIET, "DISCORD_TOKEN": "t", "DATABASE_PATH": relative}
    line = one_line(run_cli("check", env=env, cwd=tmp_path), EXIT_DATABASE)
    assert line.startswith(f"nexus-bot: DATABASE_PATH {relative} ")
    assert f"relative to the current directory, {tmp_path}" in line
    assert problem in line
    # Nothing was created or touched while finding out.
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_directory_is_named(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    env = {**QUIET, "DISCORD_TOKEN": "t", "DATABASE_PATH": str(locked / "nexus.db")}
    line = one_line(run_cli("check", env=env, cwd=tmp_path), EXIT_DATABASE)
    assert f"the directory {locked} is not writable" in line


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A live database in WAL mode, as the bot keeps it, with a row to recognise it by
    (backup copies whatever schema it finds)."""
    path = tmp_path / "nexus.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE app_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO app_state (key, value) VALUES ('marker', 'live')")
        conn.commit()
    return path


def db_env() -> dict[str, str]:
    """The live database as ``nexus.db`` in the directory the commands run in."""
    return {**QUIET, "DISCORD_TOKEN": "t", "DATABASE_PATH": "nexus.db"}


def marker(path: Path) -> str | None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT value FROM app_state WHERE key = 'marker'").fetchone()
    return None if row is None else str(row[0])


@pytest.mark.parametrize("spelling", ["nexus.db", "./nexus.db", "sub/../nexus.db", "link.db"])
def test_backup_refuses_the_live_database_however_it_is_spelled(
    tmp_path: Path, live: Path, spelling: str
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(live)
    result = run_cli("backup", "--force", spelling, env=db_env(), cwd=tmp_path)
    assert "is the live database" in one_line(result, EXIT_BACKUP_REFUSED)
    assert marker(live) == "live"


def test_backup_refuses_the_live_write_ahead_log(tmp_path: Path, live: Path) -> None:
    result = run_cli("backup", "--force", "nexus.db-wal", env=db_env(), cwd=tmp_path)
    assert "is the live database" in one_line(result, EXIT_BACKUP_REFUSED)


def test_backup_replaces_an_existing_file_only_with_force(tmp_path: Path, live: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("yesterday's notes")
    result = run_cli("backup", "backup.db", env=db_env(), cwd=tmp_path)
    assert "already exists: pass --force" in one_line(result, EXIT_BACKUP_REFUSED)
    assert target.read_text() == "yesterday's notes"

    result = run_cli("backup", "backup.db", "--force", env=db_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Written whole under another name, then moved: no partial file is left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["backup.db"]
    assert marker(target) == "live"


def test_backup_without_a_database_creates_nothing(tmp_path: Path) -> None:
    env = {**QUIET, "DISCORD_TOKEN": "t", "DATABASE_PATH": "data/nexus.db"}
    line = one_line(run_cli("backup", "copy.db", env=env, cwd=tmp_path), EXIT_DATABASE)
    assert "does not exist: nothing to back up" in line
    assert f"relative to the current directory, {tmp_path}" in line
    assert list(tmp_path.iterdir()) == []


def test_health_follows_the_heartbeat_without_the_token(tmp_path: Path) -> None:
    heartbeat = tmp_path / "data" / "heartbeat"
    env = {"DATABASE_PATH": "data/nexus.db"}  # no DISCORD_TOKEN: health does not need it
    missing = run_cli("health", env=env, cwd=tmp_path)
    assert "no heartbeat file" in one_line(missing, EXIT_UNHEALTHY)

    heartbeat.parent.mkdir()
    heartbeat.touch()
    an_hour_ago = time.time() - 3600
    os.utime(heartbeat, (an_hour_ago, an_hour_ago))
    stale = run_cli("health", env=env, cwd=tmp_path)
    assert re.search(r"is 36\d\d s old, more than 60 s", one_line(stale, EXIT_UNHEALTHY))
    assert run_cli("health", "--max-age", "7200", env=env, cwd=tmp_path).returncode == 0

    heartbeat.touch()
    fresh = run_cli("health", env=env, cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert "healthy" in fresh.stdout


def test_health_reads_heartbeat_path(tmp_path: Path) -> None:
    (tmp_path / "beat").touch()
    assert run_cli("health", env={}, cwd=tmp_path).returncode == EXIT_UNHEALTHY
    assert run_cli("health", env={"HEARTBEAT_PATH": "beat"}, cwd=tmp_path).returncode == 0


def test_readme_lists_every_exit_status() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(\d)` \| ([^|]+) \|", readme, flags=re.MULTILINE))
    documented = {int(code) for code in rows}
    assert set(EXIT_STATUS.values()) | {0, 1} <= documented
    assert len(set(EXIT_STATUS.values())) == len(EXIT_STATUS)  # one status per failure
