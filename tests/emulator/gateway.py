"""The gateway: HELLO/IDENTIFY/READY, heartbeats, dispatch sequencing, RESUME and replay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import wire
from .gateway_sessions import Connection, GatewaySession, make_compressor
from .shards import guild_of

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = dict[str, Any]
log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class Gateway:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        # One session per shard id (0 for an unsharded client).
        self.sessions: dict[int, GatewaySession] = {}
        self.connections: list[Connection] = []
        self.received: list[JSON] = []  # every payload the client sent, in order
        self.dispatched: list[tuple[str, JSON]] = []  # every dispatch, as sent (post-redaction)
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.resume_count = 0
        self.identify_count = 0

    @property
    def session(self) -> GatewaySession | None:
        """Shard 0's session (the only one of an unsharded client), else the first."""
        if 0 in self.sessions:
            return self.sessions[0]
        return next(iter(self.sessions.values()), None)

    def session_of(self, guild_id: int | None) -> GatewaySession | None:
        """The session that receives ``guild_id``'s events (None: the DMs' shard)."""
        return next((s for s in self.sessions.values() if s.serves(guild_id)), None)

    @property
    def received_ops(self) -> list[int]:
        return [p.get("op", -1) for p in self.received]

    # -- connection handling --------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        query = request.query
        try:
            compressor = make_compressor(query.get("compress"))
        except ValueError as exc:
            self.emu.record_problem("gateway", str(exc))
            await ws.close(code=4000, message=str(exc).encode())
            return ws
        conn = Connection(ws=ws, request=request, compress=compressor, path=request.path)
        conn.writer = asyncio.create_task(conn.write_loop())
        self.connections.append(conn)
        try:
            if query.get("v") != "10":
                await self._close(conn, 4012, "Invalid API version")
                return ws
            if query.get("encoding", "json") != "json":
                self.emu.record_problem("gateway", f"unsupported encoding {query.get('encoding')}")
                await self._close(conn, 4002, "Error while decoding payload.")
                return ws
            conn.send(
                {
                    "op": 10,
                    "d": {
                        "heartbeat_interval": HEARTBEAT_INTERVAL_MS,
                        "_trace": ['["gateway-emulator",{"micros":0}]'],
                    },
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    raw = msg.data
                elif msg.type == WSMsgType.BINARY:
                    raw = msg.data.decode()
                else:
                    break
                try:
                    payload = wire.loads(raw)
                except ValueError:
                    await self._close(conn, 4002, "Error while decoding payload.")
                    break
                self.received.append(payload)
                await self._on_payload(conn, payload)
        except Exception as exc:
            self.emu.record_problem("gateway handler", repr(exc))
            raise
        finally:
            self._detach(conn)
        return ws

    def _detach(self, conn: Connection) -> None:
        if conn.session is not None and conn.session.conn is conn:
            conn.session.conn = None
        conn.queue.put_nowait(None)
        if conn in self.connections:
            self.connections.remove(conn)

    async def _close(self, conn: Connection, code: int, reason: str) -> None:
        conn.queue.put_nowait(None)
        if conn.writer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.writer, 1)
        await conn.ws.close(code=code, message=reason.encode())

    async def _on_payload(self, conn: Connection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == 1:
            conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif conn.session is None:
            await self._close(conn, 4003, "Not authenticated.")
        elif op in (3, 4):
            pass  # presence / voice state updates: accepted, nothing to emulate
        elif op == 8:
            self._request_members(conn, data or {})
        else:
            await self._close(conn, 4001, "Unknown opcode.")

    async def _identify(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated.")
            return
        if data.get("token") != self.emu.token:
            await self._close(conn, 4004, "Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & Intent.PRIVILEGED & ~self.emu.privileged_intents:
            await self._close(conn, 4014, "Disallowed intent(s).")
            return
        accepted, shard = await self._shard_of_identify(conn, data)
        if not accepted:
            return
        session = GatewaySession(
            session_id=uuid.uuid4().hex, intents=intents, identify=data, shard=shard
        )
        old = self.sessions.get(session.shard_id)
        if old is not None and old.conn is not None and old.conn is not conn:
            await self._close(old.conn, 4000, "Session replaced.")
        self.identify_count += 1
        session.conn = conn
        conn.session = session
        self.sessions[session.shard_id] = session
        self.ready.clear()
        state = self.emu.state
        guilds = [g for g in state.guilds.values() if session.serves(g.id)]
        ready: JSON = {
            "v": 10,
            "user": self.emu.bot_user_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.emu.resume_gateway_url,
            "application": {
                "id": str(self.emu.application_id),
                "flags": self.emu.application_flags,
            },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["rotterdam"],
            "user_settings": {},
            "session_type": "normal",
            "auth": {},
            "_trace": ['["gateway-emulator",{"micros":0}]'],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        self._send(session, "READY", ready)
        all_members = bool(intents & Intent.GUILD_MEMBERS)
        for guild in guilds:
            self._send(
                session, "GUILD_CREATE", state.guild_create_payload(guild, all_members=all_members)
            )
        self.ready.set()

    async def _shard_of_identify(
        self, conn: Connection, data: JSON
    ) -> tuple[bool, tuple[int, int] | None]:
        """IDENTIFY's ``shard`` as Discord checks it: ``[id, count]`` with
        ``0 <= id < count`` (else close 4010); a bot that needs sharding (the emulator's
        ``shard_count`` above 1) must send one (else close 4011). Returns whether it was
        accepted (if not, the connection is closed) and the shard (None: unsharded)."""
        shard = data.get("shard")
        if shard is None:
            if self.emu.shard_count > 1:
                await self._close(conn, 4011, "Sharding required.")
                return False, None
            return True, None
        valid = (
            isinstance(shard, list)
            and len(shard) == 2
            and all(isinstance(n, int) for n in shard)
            and 0 <= shard[0] < shard[1]
        )
        if not valid:
            await self._close(conn, 4010, "Invalid shard.")
            return False, None
        return True, (shard[0], shard[1])

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = next(
            (s for s in self.sessions.values() if s.session_id == data.get("session_id")), None
        )
        valid = (
            session is not None
            and data.get("token") == self.emu.token
            and data.get("session_id") == session.session_id
            and isinstance(data.get("seq"), int)
            and data["seq"] <= session.seq
        )
        if not valid or session is None:
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            await self._close(session.conn, 4000, "Session resumed elsewhere.")
        session.conn = conn
        conn.session = session
        for seq, _event, frame in session.buffer:
            if seq > data["seq"]:
                conn.send(frame)
        self.resume_count += 1
        self._send(session, "RESUMED", {"_trace": ['["gateway-emulator",{"micros":0}]']})
        self.resumed.set()

    def _request_members(self, conn: Connection, data: JSON) -> None:
        session = conn.session
        assert session is not None
        guild_id = int(data.get("guild_id", 0))
        guild = self.emu.state.guilds.get(guild_id)
        if guild is None or not session.intents & Intent.GUILD_MEMBERS:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            m.to_dict()
            for uid, m in guild.members.items()
            if (not wanted or uid in wanted) and m.user.username.lower().startswith(query)
        ]
        chunk: JSON = {
            "guild_id": str(guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self._send(session, "GUILD_MEMBERS_CHUNK", chunk)

    # -- dispatching ----------------------------------------------------------------------------

    def dispatch(
        self,
        event: str,
        data: JSON,
        *,
        intent: int | None = None,
        redact: Callable[[JSON], JSON] | None = None,
    ) -> bool:
        """Send a dispatch to the session of the shard that serves its guild (buffered
        if disconnected). False if no session gets it (none serves it, or filtered)."""
        session = self.session_of(guild_of(event, data))
        if session is None:
            return False
        if intent is not None and not session.intents & intent:
            return False
        if redact is not None and not session.intents & Intent.MESSAGE_CONTENT:
            data = redact(data)
        self._send(session, event, data)
        return True

    def _send(self, session: GatewaySession, event: str, data: JSON) -> None:
        session.seq += 1
        frame = wire.dumps_text({"op": 0, "t": event, "s": session.seq, "d": data})
        session.buffer.append((session.seq, event, frame))
        self.dispatched.append((event, data))
        if session.conn is not None:
            session.conn.send(frame)

    def has_intent(self, intent: int) -> bool:
        return any(s.intents & intent for s in self.sessions.values())

    async def drop(self, code: int | None = None, *, shard_id: int | None = None) -> None:
        """Cut the bot's connection (of ``shard_id``; default: shard 0's): abruptly
        (client sees 1006) or with a close code."""
        session = self.session if shard_id is None else self.sessions.get(shard_id)
        conn = session.conn if session is not None else None
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        assert session is not None
        session.conn = None
        self.resumed.clear()
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
            conn.queue.put_nowait(None)
        else:
            await self._close(conn, code, "Dropped by the emulator.")

    def send_op(self, op: int, data: Any) -> None:
        session = self.session
        if session is None or session.conn is None:
            raise RuntimeError("no live gateway connection")
        session.conn.send({"op": op, "d": data, "s": None, "t": None})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            conn.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"Emulator shutting down.")
