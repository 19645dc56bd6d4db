"""Command line: ``python -m bot [run|check|sync|backup PATH]`` (also ``nexus-bot``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings, load_settings
from bot.db.database import Database
from bot.db.migrate import current_version, migrate
from bot.errors import ConfigError, SchemaTooNew

log = logging.getLogger("bot")

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nexus-bot", description="Run the Nexus Discord bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord and serve (the default)")
    sub.add_parser("check", help="validate settings and apply migrations, without connecting")
    sub.add_parser("sync", help="sync the slash commands to Discord and exit")
    backup = sub.add_parser("backup", help="write a consistent copy of the live database")
    backup.add_argument("path", type=Path)
    return parser


def setup_logging(level: int) -> None:
    import discord

    discord.utils.setup_logging(level=level, root=True)


async def open_database(settings: Settings) -> Database:
    db = Database(settings.database_path)
    await db.connect()
    try:
        await migrate(db)
    except BaseException:
        await db.close()
        raise
    return db


async def run(settings: Settings, *, sync_only: bool = False) -> None:
    from bot.client import NexusBot
    from bot.delivery import is_transient
    from bot.services.container import build_services

    db = await open_database(settings)
    try:
        bot = NexusBot(
            settings=settings,
            db=db,
            services=build_services(db, is_transient=is_transient),
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
            await bot.start(settings.discord_token.get_secret_value())
    finally:
        await db.close()


async def check(settings: Settings) -> int:
    db = await open_database(settings)
    try:
        version = await current_version(db)
    finally:
        await db.close()
    sys.stdout.write(
        f"Settings OK. Database {settings.database_path} at schema version {version}.\n"
    )
    return version


async def backup(settings: Settings, target: Path) -> None:
    db = await open_database(settings)
    try:
        await db.backup(target)
    finally:
        await db.close()
    sys.stdout.write(f"Backed up {settings.database_path} to {target}.\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except ConfigError as exc:
        sys.stderr.write(f"nexus-bot: {exc}\n")
        return EXIT_CONFIG
    setup_logging(settings.log_level_number)
    try:
        if command == "check":
            asyncio.run(check(settings))
        elif command == "backup":
            asyncio.run(backup(settings, args.path))
        else:
            asyncio.run(run(settings, sync_only=command == "sync"))
    except SchemaTooNew as exc:
        sys.stderr.write(f"nexus-bot: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        import discord

        if isinstance(exc, discord.LoginFailure):
            sys.stderr.write(
                "nexus-bot: DISCORD_TOKEN was rejected by Discord: reset the token in the "
                "developer portal and update .env.\n"
            )
            return EXIT_CONFIG
        if isinstance(exc, discord.PrivilegedIntentsRequired):
            sys.stderr.write("nexus-bot: Discord refused the requested intents.\n")
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
