"""A local Discord (REST API v10 + gateway) that the real bot talks to in flow tests.

See README.md in this package for what it covers and enforces.
"""

from .commands import EmulatorUsageError
from .emulator import DiscordEmulator
from .errors import ApiError
from .gateway import Intent
from .models import (
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
)
from .permissions import DEFAULT_BOT, DEFAULT_EVERYONE, P
from .records import InteractionRecord
from .runner import run_client
from .server import CallRecord, FailureRule

__all__ = [
    "DEFAULT_BOT",
    "DEFAULT_EVERYONE",
    "ApiError",
    "CallRecord",
    "Channel",
    "ChannelType",
    "DiscordEmulator",
    "EmulatorUsageError",
    "FailureRule",
    "Guild",
    "Intent",
    "InteractionRecord",
    "Member",
    "Message",
    "Overwrite",
    "P",
    "Role",
    "ScheduledEvent",
    "User",
    "run_client",
]
