"""Domain errors.

Services raise these; the one error pipeline (``cogs/errors.py``) turns a
``UserFacingError`` into its message, sent ephemerally. No ``discord`` import here.
"""

from __future__ import annotations


def quote_input(text: str, limit: int = 40) -> str:
    """User input quoted inside an error message: one line, backticks neutralised,
    at most ``limit`` characters."""
    flat = " ".join(text.replace("`", "'").split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"`{flat}`"


class NexusError(Exception):
    """Base of every error the bot raises on purpose."""


class UserFacingError(NexusError):
    """An error whose message is written for the user: what went wrong, what to do next.

    ``title`` names the problem in a few words (each kind has its own; a raise may give
    a sharper one); ``neutral`` answers in a calm colour: nothing is wrong, it was done
    already."""

    title = "That didn't work"
    neutral = False

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title


class InvalidInput(UserFacingError):
    """The user typed something the bot cannot use (a time, a duration, a too-long text)."""

    title = "Check what you typed"


class UnreadableTime(InvalidInput):
    """A time, date or timezone the parser cannot read."""

    title = "Can't read that time"


class TimeOutOfRange(InvalidInput):
    """A time read fine, but in the past or too far ahead."""

    title = "Pick another time"


class NotFound(UserFacingError):
    """The thing the user named does not exist (or is not theirs to see)."""

    title = "Not found"


class PermissionDenied(UserFacingError):
    """The user may not do this (not the host, not a mentor, not an admin)."""

    title = "Not yours to do"


class Conflict(UserFacingError):
    """The request clashes with the current state (a limit reached, a session started)."""

    title = "Can't do that now"


class AlreadyDone(Conflict):
    """What the user asked for is already so (already joined, already scheduled)."""

    title = "Already done"
    neutral = True


class NotConfigured(UserFacingError):
    """The server has not been set up yet for this feature."""

    title = "Not set up yet"

    def __init__(
        self, message: str = "This server is not set up yet: an admin runs `/nexus setup` first."
    ) -> None:
        super().__init__(message)


class StartupError(NexusError):
    """The bot cannot start (or a command cannot run): the message is one line for the
    operator, naming the setting or the thing to fix. The command line maps each kind
    to its own exit status."""


class ConfigError(StartupError):
    """A setting is missing or malformed; carries one line naming the setting and the fix."""


class DatabaseUnusable(StartupError):
    """``DATABASE_PATH`` cannot be opened, created or written, or is not a SQLite file."""


class SchemaTooNew(DatabaseUnusable):
    """The database was written by a newer version of the bot than this one."""


class DiscordUnreachable(StartupError):
    """Neither the REST API nor the gateway answered (network, DNS, a wrong API base)."""


class LoginRefused(StartupError):
    """Discord answered and refused: the token is wrong, or the intents are not allowed."""


class BackupRefused(StartupError):
    """``backup PATH`` would overwrite the live database or an existing file."""
