"""Settings, read from the environment and ``.env``.

The environment wins over ``.env``. pydantic-settings opens ``.env`` by its relative
name, so it is the one in the current working directory, and relative paths in the
settings (``DATABASE_PATH``, a ``sqlite:///`` ``DATABASE_URL``, ``HEARTBEAT_PATH``) are
resolved against that directory too. A missing or malformed setting becomes one
``ConfigError`` line naming the setting and how to fix it; the token's value never
appears in any message.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.sharding import Shards, parse_ids

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# How to fix each setting, shown after the problem.
_FIXES = {
    "discord_token": "set it to the bot token from the Discord developer portal "
    "(Bot → Reset Token), in the environment or in .env",
    "database_path": "set it to a writable file path, e.g. DATABASE_PATH=data/nexus.db",
    "database_url": "set it to sqlite:///data/nexus.db (a file; four slashes for an "
    "absolute path) or postgresql://user:password@host:5432/nexus, or leave it empty",
    "heartbeat_path": "set it to a writable file path, or leave it empty for a file "
    "named heartbeat next to the database",
    "log_level": f"set it to one of {', '.join(LOG_LEVELS)}",
    "dev_guild_id": "set it to a server id (right-click the server → Copy Server ID) "
    "or leave it empty",
    "discord_api_base": "set it to an http(s) URL such as https://discord.com/api/v10 "
    "or leave it empty",
    "web_port": "set it to a TCP port from 1 to 65535 (e.g. WEB_PORT=8080), or leave it "
    "empty for no web server",
    "web_host": "set it to the address to listen on, e.g. 0.0.0.0 (every interface) or "
    "127.0.0.1 (this machine only)",
    "public_url": "set it to the http(s) address people reach the web server at, e.g. "
    "https://nexus.example.org, or leave it empty",
    "web_rate_limit": "set it to the requests a minute one client may make, from 1 to "
    "100000 (default 120)",
    "shard_count": "set it to the number of Discord shards of the whole deployment, e.g. "
    "SHARD_COUNT=2, or leave it empty for one process without sharding",
    "shard_ids": "set it to this process's shards, from 0 to SHARD_COUNT-1, e.g. "
    "SHARD_IDS=0,1 or SHARD_IDS=0-3 (with SHARD_COUNT set), or leave it empty for all",
}


class FileSettings(BaseSettings):
    """The settings that name files: all ``nexus-bot health`` needs, so a health check
    works without the token."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    database_path: Path = Path("data/nexus.db")
    # sqlite:///PATH (the same as DATABASE_PATH=PATH) or postgresql://…; wins when set.
    database_url: str | None = None
    heartbeat_path: Path | None = None
    # The web server's address: also where ``nexus-bot health`` asks its /healthz.
    web_port: int | None = Field(default=None, ge=0, le=65535)
    # Every interface by default: in a container the port is published from outside.
    web_host: str = Field(default="0.0.0.0", min_length=1)  # noqa: S104

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = value.strip()
        if url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
            return url
        if url.startswith(POSTGRES_PREFIXES) and len(url) > len("postgresql://"):
            return url
        raise ValueError("must start with sqlite:/// or postgresql://")

    @model_validator(mode="after")
    def _sqlite_url_is_the_path(self) -> FileSettings:
        if self.database_url is not None and self.database_url.startswith(SQLITE_PREFIX):
            self.database_path = Path(self.database_url.removeprefix(SQLITE_PREFIX))
        return self

    @property
    def postgres_url(self) -> str | None:
        """``DATABASE_URL`` when it names a PostgreSQL database, else None (SQLite)."""
        url = self.database_url
        return url if url is not None and url.startswith(POSTGRES_PREFIXES) else None

    @property
    def heartbeat_file(self) -> Path:
        """``HEARTBEAT_PATH``, by default ``heartbeat`` in the database's directory (the
        data volume in a container)."""
        if self.heartbeat_path is not None:
            return self.heartbeat_path
        return self.database_path.parent / "heartbeat"


class Settings(FileSettings):
    discord_token: SecretStr
    log_level: str = "INFO"
    dev_guild_id: int | None = Field(default=None, gt=0)
    discord_api_base: AnyHttpUrl | None = None
    public_url: AnyHttpUrl | None = None
    web_rate_limit: int = Field(default=120, ge=1, le=100_000)
    # Discord's sharding: the deployment's shard count and this process's shards.
    shard_count: int | None = Field(default=None, ge=1, le=100_000)
    shard_ids: str | None = None

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token or any(c.isspace() for c in token):
            raise ValueError("must be a single non-empty token")
        return SecretStr(token)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown level {value!r}")
        return level

    @field_validator("shard_ids")
    @classmethod
    def _shards_in_count(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if "shard_count" not in info.data:
            return value  # SHARD_COUNT itself is malformed: that error is the one shown
        count = info.data["shard_count"]
        if count is None:
            raise ValueError("SHARD_COUNT is not set")
        ids = parse_ids(value)
        Shards(count, ids)  # ids within the count, none twice
        return ",".join(map(str, ids))

    @property
    def shards(self) -> Shards:
        """The shards this process runs (all of ``SHARD_COUNT`` when ``SHARD_IDS`` is
        empty), or not sharded."""
        if self.shard_count is None:
            return Shards.single()
        if self.shard_ids is None:
            return Shards(self.shard_count, tuple(range(self.shard_count)))
        return Shards(self.shard_count, parse_ids(self.shard_ids))

    @property
    def api_base(self) -> str | None:
        """``DISCORD_API_BASE`` without a trailing slash, or None for Discord's own API."""
        if self.discord_api_base is None:
            return None
        return str(self.discord_api_base).rstrip("/")

    @property
    def web_url(self) -> str | None:
        """The address the web pages are linked at (``PUBLIC_URL``, else this machine
        and ``WEB_PORT``), or None when there is no web server."""
        if self.web_port is None:
            return None
        if self.public_url is not None:
            return str(self.public_url).rstrip("/")
        return f"http://localhost:{self.web_port}"

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise ``ConfigError`` with one line naming the first problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def load_file_settings(**overrides: Any) -> FileSettings:
    """Only the file settings (no token needed); ``ConfigError`` as ``load_settings``."""
    try:
        return FileSettings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def describe_path(path: Path) -> str:
    """A path as the operator should read it: a relative one says what it is relative
    to, since the same setting means another file when started from another directory."""
    if path.is_absolute():
        return str(path)
    return f"{path} (relative to the current directory, {Path.cwd()})"


def _describe(exc: ValidationError) -> str:
    error = exc.errors(include_input=False, include_url=False)[0]
    field = str(error["loc"][0]) if error["loc"] else "settings"
    name = field.upper()
    fix = _FIXES.get(field, "check .env.example")
    if error["type"] == "missing":
        return f"{name} is missing: {fix}."
    # The message is pydantic's wording of the rule, never the offending value.
    reason = str(error["msg"]).removeprefix("Value error, ")
    return f"{name} is invalid ({reason}): {fix}."
