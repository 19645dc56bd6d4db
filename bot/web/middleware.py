"""ASGI middleware: a token bucket per client (429 with ``Retry-After``) and request
metrics by route. Plain ASGI, so a request pays for no extra task or body copy."""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.metrics import Metrics

# Not rate limited: what monitoring polls.
UNLIMITED = frozenset({"/healthz", "/metrics"})
CLIENTS_MAX = 50_000
# Routes of the framework itself, which do not name their template.
EXACT_ROUTES = frozenset({"/openapi.json"})


@dataclass
class Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """``per_minute`` requests a minute for each client, in bursts of up to ``burst``."""

    def __init__(
        self, per_minute: int, *, burst: int | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 2))
        self._clock = clock or time.monotonic
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0 when granted, else the seconds until one is."""
        now = self._clock()
        bucket = self._buckets.pop(client, None) or Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self._buckets[client] = bucket  # most recently seen last
        while len(self._buckets) > CLIENTS_MAX:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


class RateLimit:
    def __init__(self, app: ASGIApp, *, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "-")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        body = json.dumps({"detail": f"Too many requests: try again in {retry} s."}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RequestMetrics:
    """Counts every request by method, route template and status, and times it."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            name = route_name(scope)
            self.metrics.web_requests.labels(scope["method"], name, str(status)).inc()
            self.metrics.web_seconds.labels(name).observe(time.perf_counter() - started)


def route_name(scope: Scope) -> str:
    """The route's template (``/servers/{guild_id}/``), so the labels stay few."""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return str(path)
    if scope["path"] in EXACT_ROUTES:
        return str(scope["path"])
    return "/docs/assets" if scope["path"].startswith("/docs/assets/") else "unmatched"
