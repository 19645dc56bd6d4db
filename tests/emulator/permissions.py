"""Discord permission bits and the documented overwrite algorithm."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Channel, Guild


class P:
    """Permission bit values (Discord's documented bit positions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    CREATE_EVENTS = 1 << 44
    SEND_POLLS = 1 << 49
    PIN_MESSAGES = 1 << 51
    ALL = (1 << 53) - 1


# What a fresh guild's @everyone role carries (close to Discord's default).
DEFAULT_EVERYONE = (
    P.CREATE_INSTANT_INVITE
    | P.ADD_REACTIONS
    | P.STREAM
    | P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.USE_EXTERNAL_EMOJIS
    | P.CONNECT
    | P.SPEAK
    | P.USE_VAD
    | P.CHANGE_NICKNAME
    | P.USE_APPLICATION_COMMANDS
    | P.CREATE_PUBLIC_THREADS
    | P.CREATE_PRIVATE_THREADS
    | P.SEND_MESSAGES_IN_THREADS
    | P.SEND_POLLS
    | P.CREATE_EVENTS
)

# The bot's managed role by default: what an invite link for a community bot asks for.
DEFAULT_BOT = (
    DEFAULT_EVERYONE
    | P.MANAGE_CHANNELS
    | P.MANAGE_MESSAGES
    | P.MANAGE_THREADS
    | P.MANAGE_EVENTS
    | P.MANAGE_ROLES
    | P.PIN_MESSAGES
    | P.MENTION_EVERYONE
)


def base_permissions(guild: Guild, user_id: int, role_ids: Iterable[int]) -> int:
    if user_id == guild.owner_id:
        return P.ALL
    perms = guild.roles[guild.id].permissions
    for rid in role_ids:
        role = guild.roles.get(rid)
        if role is not None:
            perms |= role.permissions
    if perms & P.ADMINISTRATOR:
        return P.ALL
    return perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int, role_ids: list[int]) -> int:
    """Effective permissions in a channel; threads inherit their parent's overwrites."""
    base = base_permissions(guild, user_id, role_ids)
    if base & P.ADMINISTRATOR:
        return P.ALL
    source = channel
    if channel.is_thread and channel.parent_id is not None:
        source = guild_channel(guild, channel.parent_id) or channel
    perms = base
    overwrites = {ow.id: ow for ow in source.overwrites}
    everyone = overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for rid in role_ids:
        ow = overwrites.get(rid)
        if ow is not None and ow.type == 0:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    member_ow = overwrites.get(user_id)
    if member_ow is not None and member_ow.type == 1:
        perms = (perms & ~member_ow.deny) | member_ow.allow
    if not perms & P.VIEW_CHANNEL:
        return 0
    if not channel.is_thread and not perms & P.SEND_MESSAGES:
        perms &= ~(P.MENTION_EVERYONE | P.EMBED_LINKS | P.ATTACH_FILES)
    return perms


def guild_channel(guild: Guild, channel_id: int) -> Channel | None:
    return guild.channels.get(channel_id)
