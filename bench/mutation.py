"""Mutation testing of the services, the repositories and the scheduler (mutmut 3).

    pip install -e ".[dev,mutation]"
    python bench/mutation.py                          # fresh run over all three targets
    python bench/mutation.py --paths bot/scheduling.py  # one target (re-runs its mutants)
    python bench/mutation.py --resume                 # finish an interrupted run
    python bench/mutation.py --resume --retry         # and re-try every mutant not caught
    python bench/mutation.py --retry                  # only re-try the mutants not caught
    python bench/mutation.py --report --survivors     # summarise the last run, list survivors
    python bench/mutation.py --named                  # the hand-written mutants below

mutmut copies the tree to ``mutants/``, rewrites every function of the targets (see
``[tool.mutmut]`` in pyproject.toml) into a trampoline over its mutants, records which
tests reach which function, then runs, for each mutant, only the tests that reach it.
The tests are the fast ones (services, repositories, scheduler, time) on real SQLite
with a fake clock; the flow tests start a bot per test and are too slow per mutant.

Prints mutants total, killed, survived, timeout, the score, and the score per module.
Score = (killed + timeout) / (total − skipped): a mutant that makes a test hang is
caught (the run would never finish); a mutant no test reaches counts as not caught.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
TARGETS = ("bot/services", "bot/db", "bot/scheduling.py")

# mutmut's exit-code verdicts (mutmut/stats.py), grouped as this report counts them.
STATUS_BY_EXIT_CODE: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    37: "killed",  # caught by the type checker, when one is configured
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    None: "not checked",
}


# Two kinds of mutant are equivalent by construction, and found by reading the mutant:
# SQL is case-insensitive, so changing the case of a statement's keywords and names (its
# quoted literals unchanged) changes nothing; and sqlite3.Row looks columns up without
# regard to case, so row["USER_ID"] is row["user_id"].
_SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|VALUES|SET|ORDER BY|GROUP BY|LIMIT|JOIN|"
    r"RETURNING|ON CONFLICT|LIKE|ESCAPE|IN|AND|OR|NOT|IS NULL|CAST|DESC|COUNT|PRAGMA|UNION ALL)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"'[^']*'")


def _functions(source: Path, cache: dict[Path, dict[str, ast.AST]]) -> dict[str, ast.AST]:
    if source not in cache:
        tree = ast.parse(source.read_text())
        cache[source] = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
    return cache[source]


def _row_keys(function: ast.AST) -> set[int]:
    """The string constants used as ``row[...]`` keys in ``function``."""
    return {
        id(node.slice)
        for node in ast.walk(function)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "row"
        and isinstance(node.slice, ast.Constant)
    }


def _strings_changed(original: ast.AST, mutant: ast.AST) -> list[tuple[str, str, bool]] | None:
    """The (before, after, is a row key) string constants that differ, or None when
    anything else does."""
    changed: list[tuple[str, str, bool]] = []
    keys = _row_keys(original)
    for a, b in zip(ast.walk(original), ast.walk(mutant), strict=False):
        if type(a) is not type(b):
            return None
        if isinstance(a, ast.Constant) and isinstance(b, ast.Constant) and a.value != b.value:
            if not (isinstance(a.value, str) and isinstance(b.value, str)):
                return None
            changed.append((a.value, b.value, id(a) in keys))
    if len(list(ast.walk(original))) != len(list(ast.walk(mutant))):
        return None
    return changed


def case_only(source: Path, name: str, cache: dict[Path, dict[str, ast.AST]]) -> bool:
    """Whether mutant ``name`` of ``source`` (in mutants/) only changes the case of an
    SQL statement or of a row's column name."""
    function = name.rsplit(".", 1)[-1]
    functions = _functions(source, cache)
    original = functions.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
    mutant = functions.get(function)
    if original is None or mutant is None:
        return False
    changed = _strings_changed(original, mutant)
    return bool(changed) and all(
        before.lower() == after.lower()
        and (
            row_key
            or (
                _SQL.search(before) is not None
                and _QUOTED.findall(before) == _QUOTED.findall(after)
            )
        )
        for before, after, row_key in changed or ()
    )


def read_meta(meta: Path) -> dict[str, Any]:
    """A ``.meta`` file; mutmut rewrites them while it runs, so a torn read is retried."""
    for _ in range(20):
        try:
            data: dict[str, Any] = json.loads(meta.read_text())
        except json.JSONDecodeError:
            time.sleep(0.1)
        else:
            return data
    sys.exit(f"{meta} is not JSON: delete it and its .py in mutants/ to have it rebuilt")


def status_of(exit_code: int | None) -> str:
    return STATUS_BY_EXIT_CODE.get(exit_code, "suspicious")


def mutmut_executable() -> str:
    beside = Path(sys.executable).parent / "mutmut"
    if beside.exists():
        return str(beside)
    found = shutil.which("mutmut")
    if found is None:
        sys.exit('mutmut is not installed: pip install -e ".[mutation]"')
    return found


def glob_of(path: str) -> str:
    """``bot/db`` → ``bot.db.*``; ``bot/scheduling.py`` → ``bot.scheduling.*``."""
    dotted = path.strip("/").removesuffix(".py").replace("/", ".")
    return f"{dotted}.*"


def in_targets(source: str, paths: list[str]) -> bool:
    return any(source == p or source.startswith(p.rstrip("/") + "/") for p in paths)


def load_results(paths: list[str]) -> dict[str, dict[str, str]]:
    """module path → {mutant name → status}, from mutmut's ``.meta`` files."""
    results: dict[str, dict[str, str]] = {}
    cache: dict[Path, dict[str, ast.AST]] = {}
    for meta in sorted(MUTANTS.glob("bot/**/*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if not in_targets(source, paths):
            continue
        codes = read_meta(meta)["exit_code_by_key"]
        statuses = {name: status_of(code) for name, code in codes.items()}
        for name, status in statuses.items():
            if status == "survived" and case_only(MUTANTS / source, name, cache):
                statuses[name] = "equivalent"
        if statuses:
            results[source] = statuses
    return results


def score(counts: Counter[str]) -> tuple[int, float, float]:
    """Mutants counted, the score without the equivalent ones, and the raw score."""
    total = sum(counts.values()) - counts["skipped"]
    caught = counts["killed"] + counts["timeout"]
    judged = total - counts["equivalent"]
    return (
        total,
        100.0 * caught / judged if judged else 100.0,
        100.0 * caught / total if total else 100.0,
    )


def report(paths: list[str], *, survivors: bool) -> float:
    results = load_results(paths)
    if not results:
        sys.exit("no results under mutants/: run without --report first")
    overall: Counter[str] = Counter()
    by_target: dict[str, Counter[str]] = defaultdict(Counter)
    print(
        f"{'module':<44} {'total':>6} {'killed':>6} {'t/o':>4} {'surv.':>6} {'equiv.':>6}"
        f" {'unchk.':>6} {'score':>7}"
    )
    for source, statuses in results.items():
        counts = Counter(statuses.values())
        overall.update(counts)
        by_target[next(t for t in TARGETS if in_targets(source, [t]))].update(counts)
        total, pct, _ = score(counts)
        print(
            f"{source:<44} {total:>6} {counts['killed']:>6} {counts['timeout']:>4}"
            f" {counts['survived']:>6} {counts['equivalent']:>6} {counts['not checked']:>6}"
            f" {pct:>6.1f}%"
        )
    print()
    for target, counts in by_target.items():
        total, pct, raw = score(counts)
        print(f"{target:<20} {total:>6} mutants, {pct:.1f}% caught ({raw:.1f}% of all)")
    total, pct, raw = score(overall)
    print()
    print(f"mutants total  {total}")
    print(f"killed         {overall['killed']}")
    print(f"survived       {overall['survived']}")
    print(f"timeout        {overall['timeout']}")
    print(f"equivalent     {overall['equivalent']}  (survived; only the case of SQL or a row key)")
    for other in ("no tests", "suspicious", "not checked"):
        if overall[other]:
            print(f"{other:<14} {overall[other]}")
    print(f"score          {pct:.1f}%  ((killed + timeout) / (total - equivalent))")
    if overall["not checked"]:
        checked = total - overall["equivalent"] - overall["not checked"]
        caught = overall["killed"] + overall["timeout"]
        print(f"checked score  {100.0 * caught / checked:.1f}%  (of the {checked} judged so far)")
    print(f"raw score      {raw:.1f}%  ((killed + timeout) / total)")
    if survivors:
        print()
        for statuses in results.values():
            for name, status in sorted(statuses.items()):
                if status in ("survived", "no tests", "suspicious"):
                    print(f"{status:<10} {name}")
    return pct


# Mutants the project cares about by name, written by hand (mutmut does not touch SQL in
# triple-quoted strings, nor delete a line): (what, file, text, replacement, the test that
# must kill it). Each is applied to a copy of the tree and its test run there.
NAMED: list[tuple[str, str, str, str, str]] = [
    (
        "search results in id order instead of rank order",
        "bot/db/qa_search.py",
        "ORDER BY top.score, q.id",
        "ORDER BY q.id",
        "tests/services/test_qa_search.py::test_results_come_ranked_by_relevance_not_by_id",
    ),
    (
        "forget-me leaves a user id in a column (pairs.ended_by not registered)",
        "bot/services/pairing/service.py",
        '        privacy.register_reference(PRIVACY_OWNER, "pairs", "ended_by")\n',
        "",
        "tests/services/test_forget_me_schema.py::test_no_row_names_a_forgotten_user",
    ),
    (
        "a migration failing half-way is not rolled back",
        "bot/db/migrate.py",
        'await db.conn.execute("ROLLBACK")',
        "pass",
        "tests/db/test_database.py::test_a_migration_failing_half_way_changes_nothing",
    ),
    (
        'the scheduler records "sent" for a send that failed',
        "bot/scheduling.py",
        'await repo.finish(tx, timer.id, "failed", epoch(now), error)',
        'await repo.finish(tx, timer.id, "sent", epoch(now), error)',
        "tests/test_scheduling.py::test_a_bug_fails_at_once",
    ),
    (
        'the scheduler records "sent" for a timer its handler declared missed',
        "bot/scheduling.py",
        'except TimerMissed:\n            await self._conclude(timer, "missed", kind.on_missed)',
        'except TimerMissed:\n            await self._conclude(timer, "sent", None)',
        "tests/test_scheduling.py::test_handler_can_declare_a_timer_missed",
    ),
    (
        'the scheduler records "sent" for a late timer it never sent',
        "bot/scheduling.py",
        'await self._conclude(timer, "missed", kind.on_missed)\n            return',
        "pass",
        "tests/test_scheduling.py::test_late_policy_marks_missed_without_sending",
    ),
    (
        "a timer claimed twice (the claim also takes rows already sending)",
        "bot/db/timers.py",
        "SELECT id FROM timers WHERE state = 'pending' AND due_at <= ?",
        "SELECT id FROM timers WHERE state IN ('pending', 'sending') AND due_at <= ?",
        "tests/test_scheduling.py::test_concurrent_wakeups_claim_each_timer_once",
    ),
    # Beyond the three targets: the delivery path and the adapters, caught by flow tests.
    (
        "a channel post sent with a nonce made up per send instead of the row's",
        "bot/delivery.py",
        "                nonce=nonce,\n                allowed_mentions=",
        "                nonce=str(id(chosen)),\n                allowed_mentions=",
        "tests/flows/test_sessions_timers.py"
        "::test_a_lost_reminder_response_is_retried_without_a_duplicate",
    ),
    (
        "a DM sent with a nonce made up per send instead of the row's",
        "bot/delivery.py",
        "channel_id, nonce=nonce, content=content",
        "channel_id, nonce=str(id(content)), content=content",
        "tests/flows/test_remind.py::test_a_reminder_carries_its_rows_nonce",
    ),
    (
        "a timer's message sent with a nonce made up per process (not from its row)",
        "bot/db/timers.py",
        "        return nonces.timer(self.id, part)",
        "        return nonces.timer(self.id, part) if False else str(id(self))",
        "tests/flows/test_crash_windows.py::test_a_kill_while_a_reminder_is_sent_delivers_it_once",
    ),
    (
        "the closed-DM fallback sent with a nonce made up per send",
        "bot/delivery.py",
        "nonce=nonces.fallback(nonce),",
        "nonce=str(id(text)),",
        "tests/flows/test_remind.py::test_the_closed_dm_fallback_carries_the_rows_nonce",
    ),
    (
        "any 403 on a DM taken for closed DMs (not only 50007)",
        "bot/delivery.py",
        "if error.code != DMS_CLOSED or fallback_channel_id is None:",
        "if fallback_channel_id is None:",
        "tests/flows/test_remind.py"
        "::test_a_dm_refused_for_another_reason_is_not_taken_for_closed_dms",
    ),
    (
        "a server without a helper role makes every member a helper",
        "bot/services/access.py",
        "helper_role_id\n    return role is not None and role in actor.role_ids",
        "helper_role_id\n    return role is None or role in actor.role_ids",
        "tests/flows/test_qa.py::test_without_a_helper_role_nobody_becomes_a_helper",
    ),
    (
        "the Leave button not registered to outlive a restart",
        "cogs/sessions/__init__.py",
        "bot.add_dynamic_items(JoinButton, LeaveButton)",
        "bot.add_dynamic_items(JoinButton)",
        "tests/flows/test_sessions.py::test_buttons_keep_working_after_a_restart",
    ),
    (
        "joining or leaving a session that is over",
        "bot/services/sessions/service.py",
        'if session.status == "ended":',
        "if False:",
        "tests/services/test_sessions.py::test_timers_fire_in_order_and_a_late_reminder_is_missed",
    ),
]


def run_named() -> bool:
    """Apply each named mutant to a copy of the tree; its test must fail there."""
    import tempfile

    all_killed = True
    for what, path, text, replacement, test in NAMED:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp)
            for part in ("bot", "cogs", "tests"):
                shutil.copytree(
                    ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__")
                )
            for name in ("pyproject.toml", "README.md"):
                shutil.copy2(ROOT / name, copy / name)
            source = (copy / path).read_text()
            if source.count(text) != 1:
                print(f"STALE   {what}: {path} no longer holds the text to mutate")
                all_killed = False
                continue
            (copy / path).write_text(source.replace(text, replacement))
            command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", test]
            result = subprocess.run(  # noqa: S603
                command,
                cwd=copy,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": tmp},
            )
        killed = result.returncode == 1  # a test failed (not an error collecting them)
        all_killed &= killed
        print(f"{'killed ' if killed else 'SURVIVED'} {what}\n         by {test}")
    return all_killed


def forget_verdicts(paths: list[str]) -> int:
    """Mark every mutant of ``paths`` that was not caught as not checked, so the next
    ``--resume`` runs it again with the tests as they are now (a caught mutant stays
    caught: tests are only ever added)."""
    reset = 0
    cache: dict[Path, dict[str, ast.AST]] = {}
    for meta in sorted(MUTANTS.glob("bot/**/*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if not in_targets(source, paths):
            continue
        data = read_meta(meta)
        codes = data["exit_code_by_key"]
        for name, code in codes.items():
            status = status_of(code)
            if status == "survived" and case_only(MUTANTS / source, name, cache):
                continue  # equivalent: no test can kill it
            if status in ("survived", "no tests", "suspicious"):
                codes[name] = None
                reset += 1
        meta.write_text(json.dumps(data, indent=4))
    return reset


def not_caught(paths: list[str]) -> list[str]:
    """The mutants of ``paths`` that survived (equivalent ones aside) or no test reached."""
    return [
        name
        for statuses in load_results(paths).values()
        for name, status in statuses.items()
        if status in ("survived", "no tests", "suspicious")
    ]


def run(
    paths: list[str], *, max_children: int, fresh: bool, resume: bool, names: list[str]
) -> None:
    if fresh and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    command = [mutmut_executable(), "run", "--max-children", str(max_children)]
    if names:
        command += names  # only these, verdict or not
    elif not resume and sorted(paths) != sorted(TARGETS):
        # Named mutants are re-run even when they have a verdict already.
        command += [glob_of(p) for p in paths]
    MUTANTS.mkdir(exist_ok=True)
    log = MUTANTS / "run.log"
    print("$", " ".join(command[1:]), f"  (mutmut's output: {log.relative_to(ROOT)})")
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode  # noqa: S603
    elapsed = time.monotonic() - started
    print(f"wall time {elapsed / 60:.1f} min (mutmut exit code {code})")
    if code != 0:
        print(log.read_text()[-3000:])
        sys.exit(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", nargs="+", default=list(TARGETS), help="targets to mutate")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test workers")
    parser.add_argument("--report", action="store_true", help="only summarise the last run")
    parser.add_argument("--resume", action="store_true", help="run only unchecked mutants")
    parser.add_argument(
        "--retry",
        action="store_true",
        help="re-run the mutants not caught (with --resume: and every unchecked one)",
    )
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--named", action="store_true", help="only the hand-written mutants")
    args = parser.parse_args()
    if args.named:
        sys.exit(0 if run_named() else 1)
    unknown = [p for p in args.paths if not any(in_targets(p, [t]) for t in TARGETS)]
    if unknown:
        parser.error(f"not a mutation target: {unknown} (targets: {', '.join(TARGETS)})")
    names: list[str] = []
    if args.retry and args.resume:
        print(f"{forget_verdicts(args.paths)} mutants not caught will be run again")
    elif args.retry:
        names = not_caught(args.paths)
        print(f"{len(names)} mutants not caught will be run again")
    if not args.report and not (args.retry and not args.resume and not names):
        full = sorted(args.paths) == sorted(TARGETS)
        fresh = full and not (args.resume or args.retry)
        run(
            args.paths,
            max_children=args.max_children,
            fresh=fresh,
            resume=args.resume,
            names=names,
        )
    report(args.paths, survivors=args.survivors)


if __name__ == "__main__":
    main()
