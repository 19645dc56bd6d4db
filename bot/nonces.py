"""Every message nonce, one builder per purpose.

A nonce derived from a database row makes a send idempotent: after a crash the retry
carries the same nonce and Discord (``enforce_nonce``) returns the earlier message
instead of posting twice. Discord takes at most 25 characters; builders keep to 24 so
that ``fallback`` can mark the channel copy of a refused DM with one more.
"""

from __future__ import annotations

import hashlib

from bot.ui.limits import NONCE

_BASE_LENGTH = NONCE - 1
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def b36(number: int) -> str:
    """A snowflake in 12 characters instead of 19."""
    if number < 0:
        raise ValueError("nonce parts are non-negative ids")
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def _checked(nonce: str) -> str:
    """The nonce as built when it fits; past 24 characters (huge ids, a long-edited
    session), a digest of it: still deterministic, so a retry still finds its message."""
    if len(nonce) <= _BASE_LENGTH:
        return nonce
    return "h" + hashlib.blake2b(nonce.encode(), digest_size=16).hexdigest()[: _BASE_LENGTH - 1]


def user_part(user_id: int) -> str:
    """The part that tells apart one notice's copies to several users."""
    return f"u{b36(user_id)}"


def timer(timer_id: int, part: int | str = 0) -> str:
    """A message sent by a timer (reminder, nudge, escalation …)."""
    return _checked(f"nx{b36(timer_id)}.{part}")


def session_card(session_id: int) -> str:
    return _checked(f"sc{b36(session_id)}")


def session_promotion(rsvp_id: int) -> str:
    return _checked(f"sp{b36(rsvp_id)}")


def session_edit(session_id: int, sequence: int, part: str) -> str:
    """The notice of one edit (``sequence`` counts a session's edits)."""
    return _checked(f"se{b36(session_id)}.{sequence}.{part}")


def session_cancel(session_id: int, part: str) -> str:
    return _checked(f"sx{b36(session_id)}.{part}")


def fallback(nonce: str) -> str:
    """The channel mention sent when the DM with ``nonce`` was refused."""
    if len(nonce) > _BASE_LENGTH:
        raise ValueError(f"nonce {nonce!r} was not made by a builder here")
    return f"{nonce}f"


def pair_request(request_id: int) -> str:
    return _checked(f"pr{b36(request_id)}")


def pair_kickoff(pair_id: int) -> str:
    return _checked(f"pk{b36(pair_id)}")


def pair_notice(pair_id: int, part: str) -> str:
    """A notice in a pair's thread (``end``, …)."""
    return _checked(f"pn{b36(pair_id)}.{part}")


def announcement(announcement_id: int, occurrence: int) -> str:
    """One occurrence of an announcement (a repeating one posts many)."""
    return _checked(f"an{b36(announcement_id)}.{occurrence}")


def announcement_notice(announcement_id: int, part: str) -> str:
    """A notice to an announcement's author (a failure, a publish refused)."""
    return _checked(f"ax{b36(announcement_id)}.{part}")


def question(intent_id: int) -> str:
    """A question's opener in a text channel (a forum post takes no nonce)."""
    return _checked(f"qo{b36(intent_id)}")


def guide(guild_id: int, where: str) -> str:
    """A server's pinned how-to post (``where``: ``q`` for Q&A, ``s`` for sessions)."""
    return _checked(f"g{where}{b36(guild_id)}")


def question_hint(thread_id: int) -> str:
    """The bot's one reply in a post a member opened in the Q&A forum."""
    return _checked(f"qh{b36(thread_id)}")


def question_help(message_id: int) -> str:
    """The helpers' ping after the asker pressed **Still need help** on that message."""
    return _checked(f"qn{b36(message_id)}")
