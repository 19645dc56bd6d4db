"""The log stream: colour only on a terminal, no voice warnings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import discord
import pytest

from bot.__main__ import setup_logging
from bot.logs import VOICE_WARNINGS_LOGGER, wants_colour

ESC = "\x1b["


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    root = logging.getLogger()
    voice = logging.getLogger(VOICE_WARNINGS_LOGGER)
    saved = (root.level, list(root.handlers), list(voice.filters))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    # Docker is where discord.py's own choice goes wrong; be there, wherever this runs.
    monkeypatch.setattr(discord.utils, "is_docker", lambda: True)
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    voice.filters[:] = saved[2]


def logged(stream: io.StringIO) -> str:
    logging.getLogger("bot.test").warning("a line for the operator")
    return stream.getvalue()


def test_no_colour_when_stderr_is_not_a_terminal_even_in_docker() -> None:
    pipe = io.StringIO()
    setup_logging(logging.INFO, pipe)
    text = logged(pipe)
    assert "a line for the operator" in text
    assert ESC not in text


def test_colour_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    setup_logging(logging.INFO, terminal)
    assert ESC in logged(terminal)

    logging.getLogger().handlers.pop()
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Terminal()
    setup_logging(logging.INFO, terminal)
    assert ESC not in logged(terminal)


def test_wants_colour_rules() -> None:
    assert wants_colour(Terminal(), {})
    assert not wants_colour(io.StringIO(), {})
    assert not wants_colour(Terminal(), {"NO_COLOR": "1"})
    assert wants_colour(Terminal(), {"NO_COLOR": ""})  # no-color.org: empty means unset
    assert not wants_colour(Terminal(), {"TERM": "dumb"})
    assert not wants_colour(object(), {})


def test_building_a_client_warns_about_nothing_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    # discord.py warns once per process; make this the first time.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    pipe = io.StringIO()
    setup_logging(logging.INFO, pipe)
    discord.Client(intents=discord.Intents.none())
    logging.getLogger(VOICE_WARNINGS_LOGGER).warning("an unrelated client warning")
    text = pipe.getvalue()
    assert "voice" not in text
    assert "an unrelated client warning" in text  # the filter drops those two lines only
