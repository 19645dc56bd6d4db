"""Layering rules that keep the domain testable without Discord."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = [
    *sorted((ROOT / "bot" / "services").glob("*.py")),
    *sorted((ROOT / "bot" / "db").glob("*.py")),
    ROOT / "bot" / "errors.py",
    ROOT / "bot" / "clock.py",
    ROOT / "bot" / "config.py",
    ROOT / "bot" / "timeparse.py",
    ROOT / "bot" / "timezones.py",
    ROOT / "bot" / "durations.py",
    ROOT / "bot" / "wallclock.py",
    ROOT / "bot" / "availability.py",
    ROOT / "bot" / "calendar_export.py",
    ROOT / "bot" / "ui" / "limits.py",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_modules_never_import_discord() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] in {"discord", "cogs"}
        )
        for path in DOMAIN
        if path.exists()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_connects_at_import() -> None:
    """No module-level bot or database: everything is built in ``bot.__main__``."""
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("cogs").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = ast.unparse(node.value.func)
                assert not func.endswith(("NexusBot", "Database", "connect")), f"{path}: {func}"
