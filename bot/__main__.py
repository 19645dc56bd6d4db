"""Command line: ``python -m bot [run|check|sync|backup PATH|health|migrate-data]`` (also
``nexus-bot``).

A failure the operator can fix is one line on stderr and its own exit status (the
README lists them); a traceback means a bug.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot import heap, heartbeat
from bot.config import POSTGRES_PREFIXES, SQLITE_PREFIX, Settings, load_file_settings, load_settings
from bot.db.copy_data import CopyRefused
from bot.errors import (
    BackupRefused,
    ConfigError,
    DatabaseUnusable,
    DiscordUnreachable,
    LoginRefused,
    StartupError,
)
from bot.logs import plain_formatter, quiet_voice_warnings, wants_colour
from bot.startup import backup, connect, open_database, open_postgres

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_DATABASE = 3
EXIT_UNREACHABLE = 4
EXIT_LOGIN_REFUSED = 5
EXIT_BACKUP_REFUSED = 6
EXIT_COPY_REFUSED = 7
# `health` answers Docker's HEALTHCHECK, for which 1 is "unhealthy" and 2 is reserved.
EXIT_UNHEALTHY = 1

EXIT_STATUS: dict[type[StartupError], int] = {
    ConfigError: EXIT_CONFIG,
    DatabaseUnusable: EXIT_DATABASE,
    DiscordUnreachable: EXIT_UNREACHABLE,
    LoginRefused: EXIT_LOGIN_REFUSED,
    BackupRefused: EXIT_BACKUP_REFUSED,
    CopyRefused: EXIT_COPY_REFUSED,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nexus-bot", description="Run the Nexus Discord bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord and serve (the default)")
    sub.add_parser("check", help="validate settings and apply migrations, without connecting")
    sub.add_parser("sync", help="sync the slash commands to Discord and exit")
    backup_cmd = sub.add_parser("backup", help="write a consistent copy of the live database")
    backup_cmd.add_argument("path", type=Path)
    backup_cmd.add_argument("--force", action="store_true", help="replace an existing file")
    copy_cmd = sub.add_parser(
        "migrate-data", help="copy a SQLite database into an empty PostgreSQL one, and check it"
    )
    copy_cmd.add_argument("--from", dest="source", required=True, metavar="sqlite:///PATH")
    copy_cmd.add_argument("--to", dest="target", required=True, metavar="postgresql://…")
    health = sub.add_parser(
        "health", help="exit 0 if the running bot is connected to Discord, else 1"
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=heartbeat.MAX_AGE,
        metavar="SECONDS",
        help=f"oldest acceptable heartbeat (default {heartbeat.MAX_AGE:g})",
    )
    return parser


def setup_logging(level: int, stream: TextIO | None = None) -> logging.Handler:
    """Log to stderr (or ``stream``), coloured only on a terminal; returns the handler."""
    import discord

    handler = logging.StreamHandler(stream or sys.stderr)
    quiet_voice_warnings()
    if wants_colour(handler.stream):
        discord.utils.setup_logging(handler=handler, level=level, root=True)
    else:
        discord.utils.setup_logging(
            handler=handler, formatter=plain_formatter(), level=level, root=True
        )
    return handler


async def run(settings: Settings, *, sync_only: bool = False) -> None:
    from bot.client import bot_class
    from bot.delivery import is_transient
    from bot.services.container import build_services

    db = await open_database(settings)
    try:
        bot = bot_class(settings)(
            settings=settings,
            db=db,
            services=build_services(
                db, is_transient=is_transient, web_url=settings.web_url, shards=settings.shards
            ),
            sync_only=sync_only,
        )
        async with bot:
            if sync_only:
                await bot.login(settings.discord_token.get_secret_value())
                return
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
            # The process's own choice, so a test running bots in its process keeps
            # Python's defaults: see bot/heap.py.
            settling = loop.create_task(
                heap.settle_after(bot.wait_until_ready, bot.services.qa.search.index_settled)
            )
            try:
                await bot.start(settings.discord_token.get_secret_value())
            finally:
                settling.cancel()
    finally:
        await db.close()


async def check(settings: Settings) -> None:
    from bot.db.migrate import current_version

    db = await open_database(settings)
    try:
        version = await current_version(db)
    finally:
        await db.close()
    sys.stdout.write(f"Settings OK. Database {db.path} at schema version {version}.\n")


async def backup_to(settings: Settings, target: Path, *, force: bool) -> None:
    await backup(settings, target, force=force)
    sys.stdout.write(f"Backed up {settings.database_path} to {target}.\n")


def health(max_age: float) -> int:
    """The web server's /healthz when ``WEB_PORT`` is set, else the heartbeat file's age.
    Never exits 2 (Docker reserves it): a settings problem is "unhealthy" too."""
    try:
        files = load_file_settings()
    except ConfigError as exc:
        sys.stderr.write(f"nexus-bot: unhealthy: {exc}\n")
        return EXIT_UNHEALTHY
    if files.web_port:
        from bot.web import probe

        result = probe.check(files.web_host, files.web_port)
    else:
        result = heartbeat.check(files.heartbeat_file, max_age=max_age)
    if result.ok:
        sys.stdout.write(f"nexus-bot: {result.message}\n")
        return EXIT_OK
    sys.stderr.write(f"nexus-bot: unhealthy: {result.message}\n")
    return EXIT_UNHEALTHY


async def migrate_data(source_url: str, target_url: str) -> None:
    """Copy, then check: counts of every table and a sample of its rows."""
    from bot.db import copy_data
    from bot.db.migrate import migrate
    from bot.db.postgres import redacted

    if not source_url.startswith(SQLITE_PREFIX) or source_url == SQLITE_PREFIX:
        shown = redacted(source_url)  # a PostgreSQL URL given here keeps its password
        raise CopyRefused(f"--from {shown} is not a SQLite database: give sqlite:///PATH")
    if not target_url.startswith(POSTGRES_PREFIXES):
        raise CopyRefused(f"--to {target_url} is not a PostgreSQL database: give postgresql://…")
    path = Path(source_url.removeprefix(SQLITE_PREFIX))
    if not await asyncio.to_thread(path.is_file):
        raise DatabaseUnusable(f"--from {path} does not exist: name the live SQLite file")
    source = await connect(path)
    try:
        await migrate(source)
        target = await open_postgres(target_url)
        try:
            copied = await copy_data.copy(source, target)
            problems = await copy_data.check(source, target)
        finally:
            await target.close()
    finally:
        await source.close()
    if problems:
        raise CopyRefused("\nnexus-bot: ".join(["the copy differs from the source:", *problems]))
    sys.stdout.write(
        f"Copied {sum(copied.values())} rows in {len(copied)} tables from {path} to "
        f"{target.path}; row counts and a sample of rows match.\n"
    )


def exit_status(exc: StartupError) -> int:
    for kind in type(exc).__mro__:
        if kind in EXIT_STATUS:
            return EXIT_STATUS[kind]
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "health":
        return health(args.max_age)
    try:
        if command == "migrate-data":  # needs no settings: both databases are named
            asyncio.run(migrate_data(args.source, args.target))
            return EXIT_OK
        settings = load_settings()
        setup_logging(settings.log_level_number)
        if command == "check":
            asyncio.run(check(settings))
        elif command == "backup":
            asyncio.run(backup_to(settings, args.path, force=args.force))
        else:
            asyncio.run(run(settings, sync_only=command == "sync"))
    except StartupError as exc:
        sys.stderr.write(f"nexus-bot: {exc}\n")
        return exit_status(exc)
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
