"""Mutation testing of the services, the repositories and the scheduler (mutmut 3).

    pip install -e ".[dev,mutation]"
    python bench/mutation.py                          # fresh run over all three targets
    python bench/mutation.py --paths bot/scheduling.py  # one target (re-runs its mutants)
    python bench/mutation.py --resume                 # finish an interrupted run
    python bench/mutation.py --resume --retry         # and re-try every mutant not caught
    python bench/mutation.py --report --survivors     # summarise the last run, list survivors

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
import json
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

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
    for meta in sorted(MUTANTS.glob("bot/**/*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if not in_targets(source, paths):
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            results[source] = {name: status_of(code) for name, code in codes.items()}
    return results


def score(counts: Counter[str]) -> tuple[int, float]:
    total = sum(counts.values()) - counts["skipped"]
    caught = counts["killed"] + counts["timeout"]
    return total, (100.0 * caught / total if total else 100.0)


def report(paths: list[str], *, survivors: bool) -> float:
    results = load_results(paths)
    if not results:
        sys.exit("no results under mutants/: run without --report first")
    overall: Counter[str] = Counter()
    by_target: dict[str, Counter[str]] = defaultdict(Counter)
    print(f"{'module':<44} {'total':>6} {'killed':>6} {'surv.':>6} {'t/o':>4} {'score':>7}")
    for source, statuses in results.items():
        counts = Counter(statuses.values())
        overall.update(counts)
        by_target[next(t for t in TARGETS if in_targets(source, [t]))].update(counts)
        total, pct = score(counts)
        print(
            f"{source:<44} {total:>6} {counts['killed']:>6} {counts['survived']:>6} "
            f"{counts['timeout']:>4} {pct:>6.1f}%"
        )
    print()
    for target, counts in by_target.items():
        total, pct = score(counts)
        print(f"{target:<20} {total:>6} mutants, {pct:.1f}% caught")
    total, pct = score(overall)
    print()
    print(f"mutants total  {total}")
    print(f"killed         {overall['killed']}")
    print(f"survived       {overall['survived']}")
    print(f"timeout        {overall['timeout']}")
    for other in ("no tests", "suspicious", "not checked"):
        if overall[other]:
            print(f"{other:<14} {overall[other]}")
    print(f"score          {pct:.1f}%  ((killed + timeout) / total)")
    if survivors:
        print()
        for statuses in results.values():
            for name, status in sorted(statuses.items()):
                if status in ("survived", "no tests", "suspicious"):
                    print(f"{status:<10} {name}")
    return pct


def forget_verdicts(paths: list[str]) -> int:
    """Mark every mutant of ``paths`` that was not caught as not checked, so the next
    ``--resume`` runs it again with the tests as they are now (a caught mutant stays
    caught: tests are only ever added)."""
    reset = 0
    for meta in sorted(MUTANTS.glob("bot/**/*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if not in_targets(source, paths):
            continue
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        for name, code in codes.items():
            if status_of(code) in ("survived", "no tests", "suspicious"):
                codes[name] = None
                reset += 1
        meta.write_text(json.dumps(data, indent=4))
    return reset


def run(paths: list[str], *, max_children: int, fresh: bool, resume: bool) -> None:
    if fresh and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    command = [mutmut_executable(), "run", "--max-children", str(max_children)]
    if not resume and sorted(paths) != sorted(TARGETS):
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
        "--retry", action="store_true", help="with --resume: re-run the mutants not caught"
    )
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    args = parser.parse_args()
    unknown = [p for p in args.paths if not any(in_targets(p, [t]) for t in TARGETS)]
    if unknown:
        parser.error(f"not a mutation target: {unknown} (targets: {', '.join(TARGETS)})")
    if args.retry:
        if not args.resume:
            parser.error("--retry goes with --resume")
        print(f"{forget_verdicts(args.paths)} mutants not caught will be run again")
    if not args.report:
        full = sorted(args.paths) == sorted(TARGETS)
        run(
            args.paths,
            max_children=args.max_children,
            fresh=full and not args.resume,
            resume=args.resume,
        )
    report(args.paths, survivors=args.survivors)


if __name__ == "__main__":
    main()
