"""Client errors the bot received, and the ones a test said it expects.

A 4xx from Discord means the bot sent something Discord refuses. Unless a test provokes
it on purpose, that is a bug, even when the bot recovers. ``unexpected_client_errors``
lists every 4xx answered during a test that was neither injected with
``inject_failure`` nor declared with ``expect_http_error``; the flow tests fail on any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import MESSAGES

if TYPE_CHECKING:
    from types import TracebackType

    from .server import CallRecord


@dataclass
class HttpExpectation:
    """A client error the test provokes on purpose: ``status`` (and ``code``, ``method``,
    ``path`` when given) for calls from its declaration on, until the end of the test or,
    used as a context manager, until the ``with`` block ends (which then checks that it
    happened)."""

    calls: list[CallRecord] = field(repr=False)
    status: int
    code: int | None = None
    method: str | None = None
    path: str | None = None  # a regex, full match, relative to /api/v10
    start: int = 0
    end: int | None = None

    def matches(self, index: int, call: CallRecord) -> bool:
        if index < self.start or (self.end is not None and index >= self.end):
            return False
        return (
            call.status == self.status
            and (self.code is None or call.code == self.code)
            and (self.method is None or call.method == self.method.upper())
            and (self.path is None or re.fullmatch(self.path, call.path) is not None)
        )

    def seen(self) -> list[CallRecord]:
        return [c for i, c in enumerate(self.calls) if self.matches(i, c)]

    def describe(self) -> str:
        parts = [str(self.status)]
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.method is not None or self.path is not None:
            parts.append(f"on {self.method or '*'} {self.path or '*'}")
        return " ".join(parts)

    def __enter__(self) -> HttpExpectation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end = len(self.calls)
        if exc_type is None and not self.seen():
            raise AssertionError(f"expected Discord to answer {self.describe()}; it never did")


def is_client_error(call: CallRecord) -> bool:
    # An unknown route is reported on its own (``unknown_routes``); don't list it twice.
    return 400 <= call.status < 500 and call.route is not None and not call.injected


def unexpected_client_errors(
    calls: list[CallRecord], expectations: list[HttpExpectation]
) -> list[CallRecord]:
    return [
        call
        for index, call in enumerate(calls)
        if is_client_error(call) and not any(e.matches(index, call) for e in expectations)
    ]


def describe_call(call: CallRecord) -> str:
    code = call.code
    reason = ""
    if code is not None:
        message = call.response.get("message") if isinstance(call.response, dict) else None
        reason = f" code {code} ({message or MESSAGES.get(code, '?')})"
    return f"{call.method} {call.route} [{call.path}] -> {call.status}{reason}"


def client_error_report(calls: list[CallRecord], expectations: list[HttpExpectation]) -> str | None:
    """What a test should fail with: unexpected 4xx answers, and declared ones that never
    came. None when clean."""
    lines: list[str] = []
    unexpected = unexpected_client_errors(calls, expectations)
    if unexpected:
        lines.append(
            f"Discord answered {len(unexpected)} unexpected client error(s); a test that "
            "provokes one on purpose declares it (nexus.expect_http_error(status, code=…) "
            "or @pytest.mark.expect_http_error(status, code=…)):"
        )
        lines += [f"  {describe_call(c)}" for c in unexpected]
    for expectation in expectations:
        if expectation.end is None and not expectation.seen():
            lines.append(f"declared an expected {expectation.describe()}, but it never came")
    return "\n".join(lines) if lines else None
