"""What the web app is given by the bot: the services, the metrics, and how to tell
whether the gateway is connected (the bot knows; the web package never imports
discord)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.metrics import Metrics
from bot.services.container import Services


@dataclass(frozen=True)
class WebContext:
    services: Services
    metrics: Metrics
    gateway_connected: Callable[[], bool]
    rate_limit: int = 120  # requests a minute per client
    rate_burst: int | None = None  # default: half a minute's worth
