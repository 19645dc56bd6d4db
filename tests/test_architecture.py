"""The layering rules, checked over the whole tree, denying by default: a new module
is covered the moment it exists, without being listed anywhere.

* Under ``bot/`` only the Discord adapters import ``discord``.
* Nothing in ``bot/services/`` or ``cogs/`` imports ``aiosqlite``/``sqlite3``; no SQL
  outside ``bot/db/``.
* ``bot/`` never imports ``cogs``.
* Every feature package under ``cogs/`` follows the feature template.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISCORD_ADAPTERS = {
    "bot/client.py",
    "bot/delivery.py",
    "bot/thread_members.py",
    "bot/ui/embeds.py",
    "bot/__main__.py",
}
STORAGE_DRIVERS = {"aiosqlite", "sqlite3"}
FEATURE_MODULES = {
    "__init__.py",
    "cog.py",
    "events.py",
    "publish.py",
    "render.py",
    "views.py",
    "strings.py",
}
REQUIRED_FEATURE_MODULES = {"__init__.py", "cog.py", "strings.py"}
MAX_LINES = 400
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|"
    r"TRIGGER)|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE)\b",
    re.DOTALL,
)


def python_files(*parts: str) -> list[Path]:
    return sorted(ROOT.joinpath(*parts).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported_roots(path: Path) -> set[str]:
    """Top-level packages a module imports (also inside functions and TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append(node.value.strip().splitlines()[0][:60])
    return found


def executes_statements(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        ast.unparse(node.func)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"execute", "executemany", "executescript"}
    ]


def test_only_the_discord_adapters_import_discord() -> None:
    offenders = [
        rel(path)
        for path in python_files("bot")
        if rel(path) not in DISCORD_ADAPTERS and "discord" in imported_roots(path)
    ]
    assert offenders == []


def test_services_and_cogs_never_touch_the_storage_driver() -> None:
    offenders = {
        rel(path): sorted(imported_roots(path) & STORAGE_DRIVERS)
        for path in [*python_files("bot", "services"), *python_files("cogs")]
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_sql_lives_in_bot_db_only() -> None:
    outside = [
        path
        for path in [*python_files("bot"), *python_files("cogs")]
        if not rel(path).startswith("bot/db/")
    ]
    offenders = {rel(path): sql_strings(path) + executes_statements(path) for path in outside}
    assert {k: v for k, v in offenders.items() if v} == {}


def raw_http_calls(path: Path) -> list[str]:
    """``….http.<call>``: discord.py's raw HTTP client, bypassing Delivery."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "http"
    ]


def test_cogs_write_to_discord_through_delivery() -> None:
    offenders = {rel(path): raw_http_calls(path) for path in python_files("cogs")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_bot_never_imports_cogs() -> None:
    offenders = [rel(path) for path in python_files("bot") if "cogs" in imported_roots(path)]
    assert offenders == []


def feature_packages() -> list[Path]:
    return sorted(p for p in ROOT.joinpath("cogs").iterdir() if (p / "__init__.py").exists())


@pytest.mark.parametrize("package", feature_packages(), ids=lambda p: p.name)
def test_every_feature_follows_the_template(package: Path) -> None:
    modules = {p.name for p in package.iterdir() if p.suffix == ".py"}
    assert modules <= FEATURE_MODULES, f"not in the template: {sorted(modules - FEATURE_MODULES)}"
    assert modules >= REQUIRED_FEATURE_MODULES
    assert not [p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"]
    init = ast.parse((package / "__init__.py").read_text())
    defined = {
        node.name
        for node in init.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    assert defined <= {"setup", "teardown"}, "__init__.py holds setup (and teardown) only"
    assert "setup" in defined


def test_modules_stay_readable_in_one_sitting() -> None:
    long = {
        rel(path): n
        for path in [*python_files("bot"), *python_files("cogs")]
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_module_connects_at_import() -> None:
    """No module-level bot or database: everything is built in ``bot.__main__``."""
    for path in [*python_files("bot"), *python_files("cogs")]:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = ast.unparse(node.value.func)
                assert not func.endswith(("NexusBot", "Database", "connect")), f"{path}: {func}"


def test_the_rules_catch_what_they_claim(tmp_path: Path) -> None:
    """The detectors themselves: a service importing discord, a cog running SQL."""
    service = tmp_path / "service.py"
    service.write_text("from discord import Embed\nimport aiosqlite\n")
    assert {"discord", "aiosqlite"} <= imported_roots(service)
    cog = tmp_path / "cog.py"
    cog.write_text(
        "async def f(conn):\n"
        "    await conn.execute('SELECT id FROM questions WHERE id = ?', (1,))\n"
    )
    assert sql_strings(cog) and executes_statements(cog)
    raw = tmp_path / "publish.py"
    raw.write_text("async def f(bot):\n    await bot.http.delete_message(1, 2)\n")
    assert raw_http_calls(raw) == ["bot.http.delete_message"]
    prose = tmp_path / "strings.py"
    prose.write_text('TEXT = "Select a topic from the list, then update your profile."\n')
    assert sql_strings(prose) == []
