"""The lock files agree with pyproject.toml, and the image and CI install from them.

A dependency added to pyproject.toml without running ``.ci/lock`` would install in a
developer's ``pip install -e .`` and be missing from the image: caught here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==(\S+)((?:\s*\\\n\s+--hash=\S+)*)", re.M)


def pins(lock: str) -> dict[str, tuple[Version, int]]:
    """Each pinned package of ``lock``: its version and how many hashes it carries."""
    text = (ROOT / lock).read_text()
    return {
        canonicalize_name(m[1]): (Version(m[2]), m[3].count("--hash=sha256:"))
        for m in PIN.finditer(text)
    }


def requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    texts = [*project["dependencies"]]
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    return [Requirement(t) for t in texts]


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("requirements.lock", requirements()),
        ("requirements-dev.lock", requirements("dev")),
        (
            "requirements-build.lock",
            [Requirement(t) for t in PYPROJECT["build-system"]["requires"]],
        ),
    ],
    ids=["runtime", "dev", "build"],
)
def test_every_requirement_is_pinned_within_its_range_with_hashes(
    lock: str, wanted: list[Requirement]
) -> None:
    locked = pins(lock)
    assert locked, f"no pins found in {lock}"
    for req in wanted:
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in {lock}: run .ci/lock"
        version, _ = locked[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"{lock} pins {req.name}=={version}, outside {req.specifier}: run .ci/lock"
        )
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


def test_dev_lock_tests_exactly_the_runtime_versions() -> None:
    runtime = {name: version for name, (version, _) in pins("requirements.lock").items()}
    dev = {name: version for name, (version, _) in pins("requirements-dev.lock").items()}
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_image_installs_the_locks_in_two_stages_and_checks_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2
    assert re.search(r"--require-hashes --no-deps [^\n]*\\\n\s+-r requirements\.lock", dockerfile)
    assert "--require-hashes --no-deps -r requirements-build.lock" in dockerfile
    assert "COPY --from=builder /opt/venv /opt/venv" in dockerfile
    assert re.search(r'^HEALTHCHECK [^\n]*\\\n\s+CMD \["nexus-bot", "health"\]$', dockerfile, re.M)
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}


def test_ci_installs_the_dev_lock_and_nothing_unpinned() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "--require-hashes --no-deps -r requirements-dev.lock" in ci
    assert "--no-deps --no-build-isolation -e ." in ci
    assert '-e ".[dev]"' not in ci
