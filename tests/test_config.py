from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_file_settings, load_settings
from bot.errors import ConfigError

SETTINGS = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DATABASE_URL",
    "HEARTBEAT_PATH",
    "LOG_LEVEL",
    "DEV_GUILD_ID",
    "DISCORD_API_BASE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_missing_token_names_the_setting() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith("DISCORD_TOKEN is missing")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEV_GUILD_ID", "not-a-number"),
        ("DEV_GUILD_ID", "-5"),
        ("LOG_LEVEL", "chatty"),
        ("DATABASE_URL", "mysql://nexus@db/nexus"),
        ("DATABASE_URL", "sqlite:///"),
        ("DISCORD_API_BASE", "not a url"),
    ],
)
def test_malformed_setting_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"{name} is invalid")
    assert "secret-token-value" not in message


def test_blank_token_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc def")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "DISCORD_TOKEN is invalid" in str(info.value)
    assert "abc def" not in str(info.value)


def test_reads_dotenv_and_defaults(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DISCORD_TOKEN=from-file\nDEV_GUILD_ID=\nLOG_LEVEL=debug\n"
        "DISCORD_API_BASE=http://127.0.0.1:9/api/v10/\n"
    )
    settings = load_settings()
    assert settings.discord_token.get_secret_value() == "from-file"
    assert settings.dev_guild_id is None
    assert settings.log_level == "DEBUG"
    assert settings.database_path == Path("data/nexus.db")
    assert settings.api_base == "http://127.0.0.1:9/api/v10"
    assert "from-file" not in repr(settings)


def test_heartbeat_sits_next_to_the_database_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", "/srv/nexus/nexus.db")
    assert load_file_settings().heartbeat_file == Path("/srv/nexus/heartbeat")
    monkeypatch.setenv("HEARTBEAT_PATH", "/run/nexus/beat")
    assert load_file_settings().heartbeat_file == Path("/run/nexus/beat")


def test_file_settings_need_no_token(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_PATH=elsewhere/nexus.db\n")
    with pytest.raises(ConfigError):
        load_settings()
    assert load_file_settings().heartbeat_file == Path("elsewhere/heartbeat")


def test_database_url_names_sqlite_or_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", "elsewhere.db")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/other.db")
    settings = load_file_settings()
    assert settings.database_path == Path("data/other.db")  # the URL wins
    assert settings.postgres_url is None
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/nexus.db")
    assert load_file_settings().database_path == Path("/srv/nexus.db")
    monkeypatch.setenv("DATABASE_URL", "postgresql://nexus:pw@db:5432/nexus")
    assert load_file_settings().postgres_url == "postgresql://nexus:pw@db:5432/nexus"
    monkeypatch.delenv("DATABASE_URL")
    settings = load_file_settings()
    assert (settings.database_path, settings.postgres_url) == (Path("elsewhere.db"), None)
