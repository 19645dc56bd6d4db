"""Opaque cursors for the API's pages: the sort key of a page's last row, so the next
page starts right after it however many rows arrive meanwhile (keyset pagination).

A cursor is a short base64url text; anything that is not one this API gave out is
refused with a message saying to start again without it.
"""

from __future__ import annotations

import base64
import binascii
import re

from bot.errors import InvalidInput

VERSION = "1"
MAX_LENGTH = 200
# SQLite integers: at most 18 digits keeps every value inside 64 bits.
_INTEGER = re.compile(r"-?[0-9]{1,18}")
INVALID = "That cursor is not one this API gave out: start again without it."


def encode(*values: int) -> str:
    text = ":".join([VERSION, *(str(value) for value in values)])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, size: int) -> tuple[int, ...]:
    """The ``size`` integers of a cursor ``encode`` made; InvalidInput otherwise."""
    if not cursor or len(cursor) > MAX_LENGTH:
        raise InvalidInput(INVALID)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = raw.decode("ascii").split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(INVALID) from None
    if len(parts) != size + 1 or parts[0] != VERSION:
        raise InvalidInput(INVALID)
    if not all(_INTEGER.fullmatch(part) for part in parts[1:]):
        raise InvalidInput(INVALID)
    return tuple(int(part) for part in parts[1:])
