"""Discord's length limits, checked before anything is sent.

Longer user input is refused with the limit named; it is never cut mid-word and never
left for Discord to answer 400. No ``discord`` import: services use these too.
"""

from __future__ import annotations

from bot.errors import InvalidInput

MESSAGE = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000
ACTION_ROWS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
MODAL_TITLE = 45
THREAD_NAME = 100
FORUM_TAG_NAME = 20
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
ALLOWED_MENTION_IDS = 100
EVENT_NAME = 100
EVENT_DESCRIPTION = 1000
NONCE = 25


def require_text(
    label: str, value: str | None, limit: int, *, required: bool = True, strip: bool = True
) -> str:
    """Validate user text: present (when required) and within ``limit`` characters."""
    text = (value or "").strip() if strip else (value or "")
    if required and not text:
        raise InvalidInput(f"The {label} is empty: write at least one character.")
    if len(text) > limit:
        raise InvalidInput(
            f"The {label} is {len(text):,} characters; the limit is {limit:,}. "
            "Shorten it and try again."
        )
    return text


def shorten(text: str, limit: int, placeholder: str = "…") -> str:
    """Fit our own generated text (never user input) into ``limit``, ending on a word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(placeholder)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + placeholder


def pack_lines(lines: list[str], limit: int) -> list[str]:
    """Join lines into as few blocks as possible, each at most ``limit`` characters
    (a single over-long line is shortened to fit). Linear in the text: each block is
    joined once, when it is full (a roster of thousands packs in about a millisecond)."""
    blocks: list[str] = []
    parts: list[str] = []
    size = 0  # len("\n".join(parts)); 0 while the block is empty
    for line in lines:
        line = shorten(line, limit)
        if size and size + 1 + len(line) <= limit:
            parts.append(line)
            size += 1 + len(line)
            continue
        if size:
            blocks.append("\n".join(parts))
        parts, size = [line], len(line)
    if size:
        blocks.append("\n".join(parts))
    return blocks
