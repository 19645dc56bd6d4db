"""uvicorn's ``Server``, run as a task on the bot's event loop.

The bot owns the process's signals (SIGTERM and Ctrl-C close the bot, and the bot's
``close`` stops this server), so uvicorn must not install handlers of its own:
``capture_signals`` is a no-op here. The listening socket is made here, before uvicorn
starts, so a port already in use is one clear start-up error and the port the OS
chose (for port 0) is known at once. ``stop`` asks uvicorn to finish the requests
under way and waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from typing import Any

import uvicorn

from bot.errors import ConfigError

log = logging.getLogger(__name__)

STOP_GRACE = 5


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket. Its protocol is named (not left 0, as
    ``socket.create_server`` leaves it): asyncio turns Nagle's algorithm off only on
    connections whose protocol says TCP, and with it on, a keep-alive client waits
    ~40 ms for each answer (delayed ACK)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"WEB_PORT {port} on WEB_HOST {host} cannot be listened on ({exc.strerror or exc}): "
            "choose another WEB_PORT, or stop what uses it"
        ) from None
    return sock


class WebServer:
    def __init__(self, app: Any, *, host: str, port: int) -> None:
        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="off",
            log_config=None,  # the bot's logging, not uvicorn's
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=STOP_GRACE,
        )
        self._server = _Server(self._config)
        self._socket: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one the OS chose when asked for port 0)."""
        if self._socket is None:
            raise RuntimeError("the web server is not listening")
        return int(self._socket.getsockname()[1])

    async def start(self) -> None:
        self._socket = listen(self._config.host, self._config.port)
        self._task = asyncio.create_task(
            self._server.serve(sockets=[self._socket]), name="web-server"
        )
        log.info("web server listening on %s port %d", self._config.host, self.port)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._server.should_exit = True
            try:
                await asyncio.wait_for(task, STOP_GRACE * 2)
            except TimeoutError:
                log.warning("the web server did not stop in time")
        if self._socket is not None:
            self._socket.close()
            self._socket = None
