"""``nexus-bot health`` while the web server runs: ask its ``/healthz`` (gateway
connected, database writable, scheduler running) from another process, with the
standard library only (a health check must start fast)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot.heartbeat import Health

TIMEOUT = 5.0
# Where to reach a server listening on every interface from this machine.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def healthz_url(host: str, port: int) -> str:
    host = ANY_ADDRESS.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def check(host: str, port: int, *, timeout: float = TIMEOUT) -> Health:
    url = healthz_url(host, port)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http only
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        return Health(ok=False, message=f"no answer from the web server at {url} ({reason})")
    try:
        checks = json.loads(body)
    except ValueError:
        checks = {}
    failing = [name for name, value in checks.items() if value is False]
    if status == 200:
        return Health(ok=True, message=f"healthy: {url} answered 200")
    detail = ", ".join(f"{name.replace('_', ' ')}: no" for name in failing) or f"HTTP {status}"
    return Health(ok=False, message=f"{url} answered {status} ({detail})")
