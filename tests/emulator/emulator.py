"""``DiscordEmulator``: a local Discord (REST v10 + gateway) for flow tests of the real bot."""

from __future__ import annotations

import asyncio
import re
import socket
from typing import Any

from aiohttp import web

from . import interactions as ix
from .expectations import HttpExpectation, client_error_report, unexpected_client_errors
from .gateway import Gateway, Intent
from .ids import EmuClock, SnowflakeFactory
from .models import (
    Channel,
    Message,
    ScheduledEvent,
    User,
)
from .permissions import DEFAULT_BOT
from .records import InteractionRecord
from .routes import ROUTES
from .server import API_PREFIX, CallRecord, FailureRule, Hold, RestServer
from .state import EmulatorState
from .world import WorldMixin

JSON = dict[str, Any]
APP_FLAG = {
    Intent.GUILD_MEMBERS: 1 << 15,
    Intent.MESSAGE_CONTENT: 1 << 19,
    Intent.GUILD_PRESENCES: 1 << 13,
}


class DiscordEmulator(WorldMixin):
    def __init__(
        self,
        token: str = "test-token",  # noqa: S107
        *,
        bot_name: str = "Nexus",
        privileged_intents: int = Intent.GUILD_MEMBERS,
        bot_permissions: int = DEFAULT_BOT,
        interaction_deadline: float = 3.0,
        nonce_window: float = 300.0,
        shard_count: int = 1,
    ) -> None:
        self.token = token
        # The shards ``GET /gateway/bot`` recommends; above 1, IDENTIFY must name a shard.
        self.shard_count = shard_count
        self.privileged_intents = privileged_intents
        self.default_bot_permissions = bot_permissions
        self.interaction_deadline = interaction_deadline
        self.nonce_window = nonce_window
        self.clock = EmuClock()
        self.ids = SnowflakeFactory(self.clock)
        self.state = EmulatorState(self.clock, self.ids)
        self.application_id = self.ids.next()
        self.bot_user = User(id=self.ids.next(), username=bot_name, bot=True)
        self.state.bot_user = self.bot_user
        self.state.users[self.bot_user.id] = self.bot_user
        self.owner_user = self.add_user("app-owner")
        self.gateway = Gateway(self)
        self.rest = RestServer(self, ROUTES)
        self.calls: list[CallRecord] = []
        self.expectations: list[HttpExpectation] = []
        self.unknown_routes: list[str] = []
        self.problems: list[str] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.sync_counts: dict[int | None, int] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/gateway", self.gateway.handle)
        app.router.add_route("GET", "/gateway-resume", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        for hold in self.rest.holds:
            hold.released.set()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-resume"

    def record_problem(self, kind: str, detail: str) -> None:
        self.problems.append(f"{kind}: {detail}")

    def problem_report(self) -> str | None:
        """Unknown routes hit and emulator-side errors, or None when clean."""
        lines = [f"unknown route: {r}" for r in self.unknown_routes] + list(self.problems)
        return "\n".join(lines) if lines else None

    # -- payloads -------------------------------------------------------------------------------

    @property
    def application_flags(self) -> int:
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        for intent, flag in APP_FLAG.items():
            if self.privileged_intents & intent:
                flags |= flag
        return flags

    def bot_user_payload(self) -> JSON:
        data = self.bot_user.to_dict()
        data.update(
            {"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "bot": True}
        )
        return data

    def application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "owner": self.owner_user.to_dict(),
            "team": None,
            "bot": self.bot_user.to_dict(),
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}},
            "approximate_guild_count": len(self.state.guilds),
            "tags": [],
        }

    # -- failures and time ----------------------------------------------------------------------

    def inject_failure(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float = 0.5,
        code: int | None = None,
        message: str | None = None,
        apply: bool = False,
        is_global: bool = False,
        via: bool = True,
    ) -> FailureRule:
        """Fail the next ``times`` matching calls (path relative to /api/v10, full match).

        ``apply=True`` runs the real handler first (the change happens, the response is lost).
        """
        rule = FailureRule(
            method.upper(),
            re.compile(path_regex),
            status,
            times,
            retry_after,
            code,
            message,
            apply,
            is_global,
            via,
        )
        self.rest.failures.append(rule)
        return rule

    def hold(self, method: str, path_regex: str) -> Hold:
        """Apply the next matching call and keep its answer back until ``released`` is
        set (path relative to /api/v10, full match); ``arrived`` is set once applied."""
        hold = Hold(method.upper(), re.compile(path_regex))
        self.rest.holds.append(hold)
        return hold

    def expect_http_error(
        self,
        status: int,
        *,
        code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> HttpExpectation:
        """Declare a client error the test provokes on purpose (from now to the end of the
        test, or of a ``with`` block); ``path`` is a regex as in ``inject_failure``."""
        expectation = HttpExpectation(self.calls, status, code, method, path, start=len(self.calls))
        self.expectations.append(expectation)
        return expectation

    def unused_failures(self) -> list[str]:
        """Injected failures no call matched: the test did not test what it says."""
        return [
            f"{rule.method} {rule.path_regex.pattern} -> {rule.status}"
            for rule in self.rest.failures
            if rule.hits == 0
        ]

    def unexpected_client_errors(self) -> list[CallRecord]:
        """4xx answers that were neither injected nor declared with ``expect_http_error``."""
        return unexpected_client_errors(self.calls, self.expectations)

    def client_error_report(self) -> str | None:
        return client_error_report(self.calls, self.expectations)

    def advance_time(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # -- gateway control ------------------------------------------------------------------------

    async def wait_until_ready(self, timeout: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self.gateway.ready.wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"bot did not IDENTIFY within {timeout}s: {self.problem_report()}"
            ) from None

    async def wait_for_shards(self, *shard_ids: int, timeout: float = 10.0) -> None:
        """Until each of ``shard_ids`` has identified on the gateway."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not all(i in self.gateway.sessions for i in shard_ids):
            if loop.time() > deadline:
                raise AssertionError(
                    f"shards {sorted(shard_ids)} did not all IDENTIFY within {timeout}s "
                    f"(identified: {sorted(self.gateway.sessions)})"
                )
            await asyncio.sleep(0.02)

    async def drop_websocket(self, code: int | None = None, *, shard_id: int | None = None) -> None:
        await self.gateway.drop(code, shard_id=shard_id)

    async def wait_for_resume(self, timeout: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self.gateway.resumed.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"client did not RESUME within {timeout}s") from None

    def request_reconnect(self) -> None:
        self.gateway.send_op(7, None)

    def gateway_events(self, name: str) -> list[JSON]:
        return [data for event, data in self.gateway.dispatched if event == name]

    # -- users acting ---------------------------------------------------------------------------

    async def slash(
        self,
        user: User,
        guild_id: int | None,
        name: str,
        *,
        channel_id: int | None = None,
        options: dict[str, Any] | None = None,
        **kw_options: Any,
    ) -> InteractionRecord:
        values = {**(options or {}), **kw_options}
        return ix.command_interaction(
            self, user, guild_id, name, channel_id=channel_id, values=values
        )

    async def autocomplete(
        self,
        user: User,
        guild_id: int | None,
        name: str,
        *,
        focused: str,
        value: Any,
        channel_id: int | None = None,
        **kw_options: Any,
    ) -> InteractionRecord:
        values = {**kw_options, focused: value}
        return ix.command_interaction(
            self, user, guild_id, name, channel_id=channel_id, values=values, focused=focused
        )

    async def click(
        self, user: User, message: Message | int, custom_id: str, *, values: list[Any] | None = None
    ) -> InteractionRecord:
        return ix.component_interaction(self, user, message, custom_id, values)

    async def submit_modal(
        self, user: User, previous: InteractionRecord, custom_id: str, values: dict[str, Any]
    ) -> InteractionRecord:
        return ix.modal_submit(self, user, previous, custom_id, values)

    async def message_command(
        self, user: User, guild_id: int | None, name: str, target: Message
    ) -> InteractionRecord:
        return ix.context_menu_interaction(self, user, guild_id, name, target)

    async def user_command(
        self, user: User, guild_id: int | None, name: str, target: User
    ) -> InteractionRecord:
        return ix.context_menu_interaction(self, user, guild_id, name, target)

    # -- queries --------------------------------------------------------------------------------

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        if guild_id is None:
            return list(self.state.global_commands)
        return list(self.state.guild_commands.get(guild_id, []))

    @property
    def sync_count(self) -> int:
        return sum(self.sync_counts.values())

    def calls_to(self, method: str, path_regex: str) -> list[CallRecord]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method.upper() and pattern.fullmatch(c.path)]

    def messages(self, channel_id: int) -> list[Message]:
        return self.state.messages_in(channel_id)

    def dm_messages(self, user_id: int) -> list[Message]:
        channel_id = self.state.dm_channels.get(user_id)
        return [] if channel_id is None else self.state.messages_in(channel_id)

    def threads(self, parent_id: int) -> list[Channel]:
        return [c for c in self.state.channels.values() if c.is_thread and c.parent_id == parent_id]

    def scheduled_events(self, guild_id: int) -> list[ScheduledEvent]:
        return list(self.state.guild(guild_id).events.values())

    def channel(self, channel_id: int) -> Channel:
        return self.state.channel(channel_id)

    def message(self, message_id: int) -> Message:
        return self.state.messages[message_id]

    def payload(self, message: Message) -> JSON:
        """A stored message as Discord would serialise it over REST."""
        return self.state.message_payload(message)
