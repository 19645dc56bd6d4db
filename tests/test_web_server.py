"""The web server's life in the bot's event loop: it listens at once, with Nagle's
algorithm off on its connections, leaves the process's signal handlers alone, stops
cleanly, and a taken port is one clear start-up error."""

from __future__ import annotations

import asyncio
import signal
import socket

import pytest

from bot.errors import ConfigError
from bot.web.server import WebServer, listen


async def hello(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"hi"})  # type: ignore[operator]


def test_the_socket_says_tcp_so_asyncio_turns_nagle_off() -> None:
    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


async def test_serves_in_this_loop_without_touching_signals() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    server = WebServer(hello, host="127.0.0.1", port=0)
    await server.start()
    port = server.port
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = await reader.readuntil(b"hi")
        assert answer.startswith(b"HTTP/1.1 200")
        writer.close()
        assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
    finally:
        await server.stop()
    with pytest.raises(ConnectionRefusedError):  # stopped: nobody listens any more
        await asyncio.open_connection("127.0.0.1", port)


async def test_a_port_in_use_is_one_clear_line() -> None:
    taken = listen("127.0.0.1", 0)
    try:
        server = WebServer(hello, host="127.0.0.1", port=taken.getsockname()[1])
        with pytest.raises(ConfigError, match=r"WEB_PORT .* cannot be listened on"):
            await server.start()
    finally:
        taken.close()
