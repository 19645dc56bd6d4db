"""The HTTP side: request parsing, routing through the route table, recording, failure injection."""

from __future__ import annotations

import asyncio
import math
import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web
from multidict import MultiMapping

from . import wire
from .errors import ApiError

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .state import EmulatorState

JSON = dict[str, Any]
API_PREFIX = "/api/v10"
Reply = tuple[int, Any]
Handler = Callable[["Req"], Awaitable[Reply]]


def ok(body: Any) -> Reply:
    return 200, body


def no_content() -> Reply:
    return 204, None


@dataclass
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Req:
    """What a route handler sees."""

    emu: DiscordEmulator
    method: str
    path: str
    params: dict[str, str]
    query: MultiMapping[str]
    body: Any
    files: list[Upload]
    headers: Any

    @property
    def state(self) -> EmulatorState:
        return self.emu.state

    def id(self, name: str) -> int:
        return int(self.params[name])

    def json(self) -> JSON:
        if not isinstance(self.body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return self.body

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true")


@dataclass
class RouteSpec:
    method: str
    template: str
    handler: Handler
    auth: bool = True
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = ""
        for part in re.split(r"(\{\w+\})", self.template):
            if part.startswith("{"):
                name = part[1:-1]
                body = r"\d+" if name.endswith("_id") else r"[^/]+"
                pattern += f"(?P<{name}>{body})"
            else:
                pattern += re.escape(part)
        self.regex = re.compile(pattern)


@dataclass
class CallRecord:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int
    response: Any = None
    files: list[str] = field(default_factory=list)
    route: str | None = None  # the route template it matched; None for an unknown route
    injected: bool = False  # answered by ``inject_failure``, not by the route's handler
    user_agent: str = ""  # the client's User-Agent: which process sent it, when they differ

    @property
    def code(self) -> int | None:
        """Discord's JSON error code in the response body, if any."""
        if isinstance(self.response, dict) and isinstance(self.response.get("code"), int):
            return int(self.response["code"])
        return None

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class FailureRule:
    method: str
    path_regex: re.Pattern[str]
    status: int
    times: int
    retry_after: float = 0.5
    code: int | None = None
    message: str | None = None
    apply: bool = False
    is_global: bool = False
    via: bool = True  # False: a 429 as a proxy or Cloudflare sends it, without ``Via``
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and method == self.method and bool(self.path_regex.fullmatch(path))


@dataclass
class Hold:
    """A call that reaches Discord (it is applied) but whose answer never comes back:
    the instant a test kills the bot in, between Discord's write and the bot's record."""

    method: str
    path_regex: re.Pattern[str]
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    used: bool = False

    def matches(self, method: str, path: str) -> bool:
        return not self.used and method == self.method and bool(self.path_regex.fullmatch(path))


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    base = {"Via": "1.1 google"}
    if headers:
        base.update(headers)
    if not base["Via"]:
        del base["Via"]
    if status == 204 or body is None:
        return web.Response(status=204, headers=base)
    base["Content-Type"] = "application/json"
    return web.Response(status=status, body=wire.dumps(body), headers=base)


def ratelimit_headers(
    emu: DiscordEmulator, bucket: str, *, remaining: int, reset_after: float
) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{emu.clock.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


class RestServer:
    def __init__(self, emu: DiscordEmulator, routes: list[RouteSpec]) -> None:
        self.emu = emu
        self.routes = routes
        self.failures: list[FailureRule] = []
        self.holds: list[Hold] = []

    def match(self, method: str, path: str) -> tuple[RouteSpec | None, dict[str, str], bool]:
        path_known = False
        for spec in self.routes:
            m = spec.regex.fullmatch(path)
            if m is None:
                continue
            path_known = True
            if spec.method == method:
                return spec, m.groupdict(), True
        return None, {}, path_known

    async def handle(self, request: web.Request) -> web.Response:
        method = request.method
        path = request.path[len(API_PREFIX) :] or "/"
        body, files = await self._read_body(request)
        record = CallRecord(
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            status=0,
            files=[f.filename for f in files],
            user_agent=request.headers.get("User-Agent", ""),
        )
        self.emu.calls.append(record)
        spec, params, path_known = self.match(method, path)
        if spec is None:
            status = 405 if path_known else 404
            self.emu.unknown_routes.append(f"{method} {path}")
            reason = "Method Not Allowed" if status == 405 else "Not Found"
            reply: Reply = (status, {"message": f"{status}: {reason}", "code": 0})
            return self._finish(record, reply)
        bucket = spec.template
        record.route = spec.template
        if spec.auth and request.headers.get("Authorization") != f"Bot {self.emu.token}":
            return self._finish(record, (401, {"message": "401: Unauthorized", "code": 0}))
        rule = next((r for r in self.failures if r.matches(method, path)), None)
        req = Req(self.emu, method, path, params, request.query, body, files, request.headers)
        hold = next((h for h in self.holds if h.matches(method, path)), None)
        if hold is not None:
            hold.used = True
            reply = await self._run(spec, req)
            hold.arrived.set()
            await hold.released.wait()
            return self._finish(record, reply)
        if rule is not None:
            rule.times -= 1
            rule.hits += 1
            if rule.apply:
                await self._run(spec, req)
            return self._failure(record, rule, bucket)
        status, payload = await self._run(spec, req)
        headers = ratelimit_headers(self.emu, _bucket_hash(bucket), remaining=4, reset_after=1.0)
        return self._finish(record, (status, payload), headers)

    async def _run(self, spec: RouteSpec, req: Req) -> Reply:
        try:
            return await spec.handler(req)
        except ApiError as exc:
            return exc.status, exc.body()
        except Exception:
            detail = f"{req.method} {req.path}:\n{traceback.format_exc()}"
            self.emu.record_problem("handler error", detail)
            return 400, {"message": "Emulator handler error (see test teardown)", "code": 0}

    def _failure(self, record: CallRecord, rule: FailureRule, bucket: str) -> web.Response:
        record.injected = True
        if rule.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": rule.retry_after,
                "global": rule.is_global,
            }
            headers = ratelimit_headers(
                self.emu, _bucket_hash(bucket), remaining=0, reset_after=rule.retry_after
            )
            headers["Retry-After"] = str(max(1, math.ceil(rule.retry_after)))
            headers["X-RateLimit-Scope"] = "global" if rule.is_global else "user"
            if rule.is_global:
                headers["X-RateLimit-Global"] = "true"
            if not rule.via:
                headers["Via"] = ""
            return self._finish(record, (429, body), headers)
        if rule.code is not None:
            err = ApiError(rule.status, rule.code, rule.message)
            return self._finish(record, (rule.status, err.body()))
        reasons = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        message = rule.message or f"{rule.status}: {reasons.get(rule.status, 'Error')}"
        return self._finish(record, (rule.status, {"message": message, "code": 0}))

    def _finish(
        self, record: CallRecord, reply: Reply, headers: dict[str, str] | None = None
    ) -> web.Response:
        status, payload = reply
        record.status = status
        record.response = payload
        return json_response(status, payload, headers)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            body: Any = None
            files: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body = wire.loads(await part.text())
                else:
                    data = await part.read()
                    files.append(
                        Upload(
                            field=part.name or "",
                            filename=part.filename or "file",
                            content_type=part.headers.get(
                                "Content-Type", "application/octet-stream"
                            ),
                            data=bytes(data),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return wire.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []


def _bucket_hash(template: str) -> str:
    return format(abs(hash(template)) % (16**16), "016x")
