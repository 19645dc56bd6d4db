"""What the bot needs in each configured channel, and what is missing.

Permission names are discord.py's ``Permissions`` attribute names; the cog reads each
of ``invite_permissions()`` off ``channel.permissions_for(me)``.

Roles the bot pings are checked too: Discord notifies a role's members only when the
role is mentionable or the sender has Mention Everyone in that channel; otherwise the
mention shows and nobody hears it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Why each permission is needed, in the words shown to admins and in the README.
PERMISSION_REASONS: dict[str, str] = {
    "view_channel": "see the channel",
    "send_messages": "post cards, questions and announcements",
    "send_messages_in_threads": "post reminders and answers in threads",
    "create_public_threads": "open question and session threads",
    "create_private_threads": "open private pairing threads",
    "manage_threads": "archive solved questions, tag posts, add pair members",
    "embed_links": "show embeds",
    "read_message_history": "find and edit its own cards",
    "manage_channels": "create the Q&A forum tags",
    "add_reactions": "mark a solved question's answer with ✅",
    "mention_everyone": "ping @everyone, or a role that is not mentionable",
    "manage_events": "mirror sessions as Discord scheduled events",
    "pin_messages": "pin the how-to that setup posts",
}

_BASE = ("view_channel", "send_messages", "embed_links", "read_message_history")
_THREADS = ("send_messages_in_threads", "manage_threads")

REQUIRED: dict[str, tuple[str, ...]] = {
    "qa_forum": (*_BASE, *_THREADS, "create_public_threads"),
    "sessions_channel": (*_BASE, *_THREADS, "create_public_threads"),
    "announcements_channel": _BASE,
    "pairing_channel": (*_BASE, *_THREADS, "create_private_threads"),
}

# Useful but not required: the feature degrades gracefully without them.
OPTIONAL: dict[str, tuple[str, ...]] = {
    "qa_forum": ("manage_channels", "add_reactions", "pin_messages"),
    "sessions_channel": ("pin_messages",),
    "announcements_channel": ("mention_everyone",),
    "server": ("manage_events",),
}


@dataclass(frozen=True)
class ChannelCheck:
    setting: str  # "qa_forum", "sessions_channel", … or "server"
    target_id: int
    missing: tuple[str, ...]
    missing_optional: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing


def check(setting: str, target_id: int, granted: set[str]) -> ChannelCheck:
    required = REQUIRED.get(setting, ())
    optional = OPTIONAL.get(setting, ())
    return ChannelCheck(
        setting=setting,
        target_id=target_id,
        missing=tuple(p for p in required if p not in granted),
        missing_optional=tuple(p for p in optional if p not in granted),
    )


# The roles pinged in the Q&A channel's threads about unanswered questions: helpers
# first, then mentors.
PINGED_IN_QA = ("helper_role", "mentor_role")


@dataclass(frozen=True)
class RolePingCheck:
    channel_id: int  # where the roles are pinged (threads inherit its permissions)
    silent: tuple[int, ...]  # role ids whose mention there would notify nobody

    @property
    def ok(self) -> bool:
        return not self.silent


def check_role_pings(
    channel_id: int, mentionable: dict[int, bool], granted: set[str]
) -> RolePingCheck:
    """``mentionable``: each role the bot pings in the channel → whether it is mentionable;
    ``granted``: the bot's permissions there."""
    if "mention_everyone" in granted:
        return RolePingCheck(channel_id, ())
    return RolePingCheck(channel_id, tuple(r for r, m in mentionable.items() if not m))


def invite_permissions() -> set[str]:
    """Every permission the bot can use, for the invite link."""
    names = {p for perms in REQUIRED.values() for p in perms}
    names |= {p for perms in OPTIONAL.values() for p in perms}
    return names


def describe(permission: str) -> str:
    label = permission.replace("_", " ").title()
    reason = PERMISSION_REASONS.get(permission)
    return f"{label} ({reason})" if reason else label
