"""What the log stream looks like: plain text unless a person is watching a terminal,
and no warnings about features Nexus never uses.

``discord.utils.setup_logging`` colours its output whenever it runs inside Docker,
terminal or not (``stream_supports_colour`` returns ``is_a_tty or is_docker()``), so
container logs fill with escape codes; ``bot.__main__`` decides here instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

# discord.py warns about these once, when the first client is built; Nexus never joins
# a voice channel, so they only alarm whoever reads the log.
VOICE_WARNINGS = frozenset(
    {
        "PyNaCl is not installed, voice will NOT be supported",
        "davey is not installed, voice will NOT be supported",
    }
)
VOICE_WARNINGS_LOGGER = "discord.client"

PLAIN_FORMAT = "[{asctime}] [{levelname:<8}] {name}: {message}"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def drop_voice_warnings(record: logging.LogRecord) -> bool:
    """A filter for ``discord.client``: everything but exactly the voice warnings."""
    return record.msg not in VOICE_WARNINGS


def quiet_voice_warnings() -> None:
    logging.getLogger(VOICE_WARNINGS_LOGGER).addFilter(drop_voice_warnings)


def wants_colour(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and not when the user asked for none: ``NO_COLOR``
    set to anything non-empty (no-color.org), or ``TERM=dumb``."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def plain_formatter() -> logging.Formatter:
    return logging.Formatter(PLAIN_FORMAT, DATE_FORMAT, style="{")
