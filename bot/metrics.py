"""The bot's metrics, in Prometheus's format at the web server's ``/metrics``.

One ``Metrics`` per bot, with a registry of its own (no process-wide state):
interactions and how long the bot took to answer them, Discord's error answers by
HTTP status and Discord error code, timers pending and late (read when scraped), and
the web server's requests.

Discord's side is observed at the one place every request passes: the aiohttp session
discord.py makes, through the trace hooks discord.py lets a client install
(``http_trace``). Interaction callbacks go through that session too, so an
interaction's answer time is measured from its arrival on the gateway to the end of
its callback request.
"""

from __future__ import annotations

import json
import re
import time
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Interactions whose answer is still awaited (Discord wants one within 3 s): the oldest
# are dropped past this many.
PENDING_MAX = 10_000
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")
INTERACTION_TYPES = {1: "ping", 2: "command", 3: "component", 4: "autocomplete", 5: "modal"}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.interactions = Counter(
            "nexus_interactions", "Interactions received from Discord.", ["type"], registry=r
        )
        self.interaction_seconds = Histogram(
            "nexus_interaction_response_seconds",
            "From an interaction's arrival to the end of the bot's first answer to it.",
            ["type"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
            registry=r,
        )
        self.discord_errors = Counter(
            "nexus_discord_errors",
            "Error answers from Discord's API, by HTTP status and Discord's error code.",
            ["status", "code"],
            registry=r,
        )
        self.timers_pending = Gauge(
            "nexus_timers_pending", "Timers waiting to fire, by kind.", ["kind"], registry=r
        )
        self.timers_late = Gauge(
            "nexus_timers_late",
            "Pending timers more than a minute past their due time, by kind.",
            ["kind"],
            registry=r,
        )
        self.web_requests = Counter(
            "nexus_web_requests",
            "Requests to the web server, by method, route and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.web_seconds = Histogram(
            "nexus_web_request_seconds",
            "Time to answer a web request, by route.",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
            registry=r,
        )
        self._arrivals: OrderedDict[int, tuple[float, str]] = OrderedDict()

    # -- interactions -----------------------------------------------------------------

    def interaction_arrived(self, interaction_id: int, kind: int) -> None:
        name = INTERACTION_TYPES.get(kind, "other")
        self.interactions.labels(name).inc()
        self._arrivals[interaction_id] = (time.monotonic(), name)
        while len(self._arrivals) > PENDING_MAX:
            self._arrivals.popitem(last=False)

    def interaction_answered(self, interaction_id: int) -> None:
        arrived = self._arrivals.pop(interaction_id, None)
        if arrived is not None:
            started, name = arrived
            self.interaction_seconds.labels(name).observe(time.monotonic() - started)

    # -- Discord's HTTP API -----------------------------------------------------------

    def discord_trace(self) -> aiohttp.TraceConfig:
        """Hooks for discord.py's HTTP session: error answers, interaction callbacks."""
        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(self._request_ended)
        return trace

    async def _request_ended(
        self, session: aiohttp.ClientSession, context: SimpleNamespace, params: Any
    ) -> None:
        response: aiohttp.ClientResponse = params.response
        status = response.status
        if status >= 400:
            self.discord_errors.labels(str(status), await _error_code(response)).inc()
        callback = _CALLBACK.search(params.url.path)
        if callback is not None and status < 400:
            self.interaction_answered(int(callback.group(1)))

    # -- exposition -------------------------------------------------------------------

    def set_timers(self, backlog: dict[str, tuple[int, int]], kinds: list[str]) -> None:
        self.timers_pending.clear()
        self.timers_late.clear()
        for kind in sorted(set(kinds) | set(backlog)):
            pending, late = backlog.get(kind, (0, 0))
            self.timers_pending.labels(kind).set(pending)
            self.timers_late.labels(kind).set(late)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Discord's error code from the JSON body ("0" for a rate limit, "-" without one).
    The body is read here and kept by aiohttp, so discord.py reads the same bytes."""
    try:
        body = json.loads(await response.read())
    except (ValueError, aiohttp.ClientError):
        return "-"
    code = body.get("code") if isinstance(body, dict) else None
    return str(code) if isinstance(code, int) else "-"
