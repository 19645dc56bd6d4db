"""Pytest plumbing: the ``emulator`` fixture, ``run_client``, and the strict checks.

Register from the root conftest with ``pytest_plugins = ["tests.emulator.pytest_plugin"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from .emulator import DiscordEmulator
from .runner import run_client

__all__ = [
    "EXPECT_MARKER",
    "check_emulator_clean",
    "check_no_unexpected_client_errors",
    "declare_marked_expectations",
    "emulator",
    "run_client",
]

EXPECT_MARKER = "expect_http_error"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{EXPECT_MARKER}(status, *, code=None, method=None, path=None): the test provokes "
        "this Discord client error on purpose (see DiscordEmulator.expect_http_error)",
    )


def check_emulator_clean(emu: DiscordEmulator) -> None:
    """Fail the current test if the emulator saw unknown routes or had handler errors."""
    report = emu.problem_report()
    if report:
        pytest.fail(f"Discord emulator problems during this test:\n{report}", pytrace=False)


def check_injected_failures_used(emu: DiscordEmulator) -> None:
    """Fail the current test if a failure it injected never met a call (a path that
    matches nothing, a call the bot never made): the fault was never exercised."""
    unused = emu.unused_failures()
    if unused:
        pytest.fail(
            "Injected failures that no call matched:\n  " + "\n  ".join(unused), pytrace=False
        )


def check_no_unexpected_client_errors(emu: DiscordEmulator) -> None:
    """Fail the current test if Discord answered a 4xx it did not declare or inject."""
    report = emu.client_error_report()
    if report:
        pytest.fail(report, pytrace=False)


def declare_marked_expectations(emu: DiscordEmulator, node: pytest.Item) -> None:
    """``@pytest.mark.expect_http_error(403, code=50007)``: declared for the whole test."""
    for marker in node.iter_markers(EXPECT_MARKER):
        emu.expect_http_error(*marker.args, **marker.kwargs)


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    check_emulator_clean(emu)
    check_injected_failures_used(emu)
