"""Text every feature writes the same way: mentions, jump links, durations in words.

Plain strings (no discord import), so services' results and cogs' renderers agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.time.clock import epoch

FORMER_MEMBER = "a former member"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 session``, ``2 sessions`` (``many`` for irregular plurals)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def article(word: str) -> str:
    """``a django question``, ``an auth question``: by the sound of the first letter."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def user(user_id: int | None) -> str:
    """``<@id>``; someone who ran forget-me is "a former member"."""
    return f"<@{user_id}>" if user_id else FORMER_MEMBER


def users(user_ids: Sequence[int], shown: int = 20) -> str:
    """Mentions of the first ``shown`` users, then "+N more"."""
    text = ", ".join(user(uid) for uid in user_ids[:shown])
    extra = len(user_ids) - shown
    return f"{text} +{extra} more" if extra > 0 else text


def timestamp(instant: datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own local time."""
    return f"<t:{epoch(instant)}:{style}>"


def jump_url(guild_id: int | None, channel_id: int, message_id: int | None = None) -> str:
    """A link that opens a channel, thread or message in Discord (``guild_id`` None: a DM)."""
    base = f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}"
    return base if message_id is None else f"{base}/{message_id}"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekly(weekday: int, at_minute: int) -> str:
    """A weekly wall time: "Monday at 10:00"."""
    return f"{WEEKDAYS[weekday]} at {at_minute // 60:02d}:{at_minute % 60:02d}"
