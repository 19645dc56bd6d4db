"""The gateway's connections (a websocket and its compression) and sessions (what
IDENTIFY or RESUME bound to a connection: intents, sequence, replay buffer, shard)."""

from __future__ import annotations

import asyncio
import importlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import wire
from .shards import shard_of

JSON = dict[str, Any]


def make_compressor(kind: str | None) -> Callable[[str], bytes] | None:
    if kind is None:
        return None
    if kind == "zlib-stream":
        zctx = zlib.compressobj()

        def zlib_frame(text: str) -> bytes:
            return zctx.compress(text.encode()) + zctx.flush(zlib.Z_SYNC_FLUSH)

        return zlib_frame
    if kind == "zstd-stream":
        try:
            zstandard = importlib.import_module("zstandard")
        except ImportError as exc:
            raise ValueError("zstd-stream requested but zstandard is not installed") from exc
        sctx = zstandard.ZstdCompressor().compressobj()

        def zstd_frame(text: str) -> bytes:
            out: bytes = sctx.compress(text.encode()) + sctx.flush(
                zstandard.COMPRESSOBJ_FLUSH_BLOCK
            )
            return out

        return zstd_frame
    raise ValueError(f"unknown compress={kind!r}")


@dataclass
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    compress: Callable[[str], bytes] | None
    path: str
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    session: GatewaySession | None = None
    writer: asyncio.Task[None] | None = None

    def send(self, payload: JSON | str) -> None:
        self.queue.put_nowait(payload if isinstance(payload, str) else wire.dumps_text(payload))

    async def write_loop(self) -> None:
        while True:
            frame = await self.queue.get()
            if frame is None or self.ws.closed:
                return
            try:
                if self.compress is None:
                    await self.ws.send_str(frame)
                else:
                    await self.ws.send_bytes(self.compress(frame))
            except (ConnectionError, RuntimeError):
                return


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    identify: JSON
    seq: int = 0
    buffer: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, event, frame)
    conn: Connection | None = None
    shard: tuple[int, int] | None = None  # [shard_id, shard_count] from IDENTIFY

    @property
    def shard_id(self) -> int:
        return 0 if self.shard is None else self.shard[0]

    def serves(self, guild_id: int | None) -> bool:
        """Discord's routing: a guild's events go to shard ``(guild_id >> 22) % count``;
        events of no guild (DMs) to shard 0. An unsharded session gets everything."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (0 if guild_id is None else shard_of(guild_id, count)) == shard_id

    def events(self) -> list[str]:
        """The dispatches this session was sent (or buffered), in order."""
        return [event for _seq, event, _frame in self.buffer]
