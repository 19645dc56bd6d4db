"""In-memory Discord objects and their wire payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class ChannelType:
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    NEWS_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    STAGE = 13
    FORUM = 15
    MEDIA = 16

    THREADS = frozenset({10, 11, 12})
    MESSAGEABLE = frozenset({0, 1, 2, 5, 10, 11, 12, 13})
    THREAD_PARENTS = frozenset({0, 5, 15, 16})


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None
    locale: str = "en-US"

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_dict(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    tags: JSON | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_dict(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = self.tags
        return data


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = ""

    def to_dict(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_dict()
        return data


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    @classmethod
    def role(cls, role_id: int, *, allow: int = 0, deny: int = 0) -> Overwrite:
        return cls(role_id, 0, allow, deny)

    @classmethod
    def member(cls, user_id: int, *, allow: int = 0, deny: int = 0) -> Overwrite:
        return cls(user_id, 1, allow, deny)

    @classmethod
    def from_any(cls, value: Overwrite | JSON) -> Overwrite:
        if isinstance(value, Overwrite):
            return value
        return cls(
            int(value["id"]),
            int(value.get("type", 0)),
            int(value.get("allow", 0)),
            int(value.get("deny", 0)),
        )

    def to_dict(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    rate_limit_per_user: int = 0
    flags: int = 0
    last_message_id: int | None = None
    last_pin_timestamp: str | None = None
    # forum / media
    available_tags: list[JSON] = field(default_factory=list)
    default_auto_archive_duration: int = 4320
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 4320
    archive_timestamp: str | None = None
    create_timestamp: str | None = None
    message_count: int = 0
    total_message_sent: int = 0
    applied_tags: list[int] = field(default_factory=list)
    forum_post: bool = False
    thread_members: dict[int, str] = field(default_factory=dict)  # user id -> join timestamp
    # DMs
    recipients: list[User] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return self.type in ChannelType.THREADS

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_dict(self, *, include_guild_id: bool = True) -> JSON:
        if self.type == ChannelType.DM:
            return {
                "id": str(self.id),
                "type": self.type,
                "last_message_id": _opt(self.last_message_id),
                "flags": 0,
                "recipients": [u.to_dict() for u in self.recipients],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "parent_id": _opt(self.parent_id),
            "flags": self.flags,
            "rate_limit_per_user": self.rate_limit_per_user,
            "last_message_id": _opt(self.last_message_id),
        }
        if include_guild_id:
            data["guild_id"] = str(self.guild_id)
        if self.is_thread:
            data.update(self._thread_fields())
            return data
        data.update(
            {
                "position": self.position,
                "permission_overwrites": [ow.to_dict() for ow in self.overwrites],
                "nsfw": self.nsfw,
            }
        )
        if self.type in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM, ChannelType.MEDIA):
            data["topic"] = self.topic
            data["default_auto_archive_duration"] = self.default_auto_archive_duration
            data["default_thread_rate_limit_per_user"] = 0
            data["last_pin_timestamp"] = self.last_pin_timestamp
        if self.type in (ChannelType.FORUM, ChannelType.MEDIA):
            data["available_tags"] = [dict(t) for t in self.available_tags]
            data["default_reaction_emoji"] = None
            data["default_sort_order"] = None
            data["default_forum_layout"] = 0
        if self.type in (ChannelType.VOICE, ChannelType.STAGE):
            data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        return data

    def _thread_fields(self) -> JSON:
        metadata: JSON = {
            "archived": self.archived,
            "auto_archive_duration": self.auto_archive_duration,
            "archive_timestamp": self.archive_timestamp,
            "locked": self.locked,
            "create_timestamp": self.create_timestamp,
        }
        if self.type == ChannelType.PRIVATE_THREAD:
            metadata["invitable"] = self.invitable
        data: JSON = {
            "owner_id": _opt(self.owner_id),
            "thread_metadata": metadata,
            "message_count": self.message_count,
            "member_count": min(len(self.thread_members), 50),
            "total_message_sent": self.total_message_sent,
        }
        if self.forum_post:
            data["applied_tags"] = [str(t) for t in self.applied_tags]
        return data


@dataclass(repr=False)
class Message:
    id: int
    channel_id: int
    author: User
    guild_id: int | None = None
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[JSON] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: str = ""
    created_at: float = 0.0
    edited_timestamp: str | None = None
    nonce: str | int | None = None
    tts: bool = False
    pinned: bool = False
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    notified_ids: list[int] = field(default_factory=list)  # whom its creation notified
    reactions: dict[str, list[int]] = field(default_factory=dict)  # emoji -> who reacted
    message_reference: JSON | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    interaction: JSON | None = None
    thread_id: int | None = None
    poll: JSON | None = None
    position: int | None = None
    deleted: bool = False
    interaction_id: int | None = None  # set for interaction responses / followups

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    def __repr__(self) -> str:
        return (
            f"<Message id={self.id} channel={self.channel_id} author={self.author.username!r} "
            f"type={self.type} flags={self.flags} content={self.content[:60]!r}>"
        )


@dataclass
class ScheduledEvent:
    id: int
    guild_id: int
    name: str
    scheduled_start_time: str
    entity_type: int
    creator_id: int | None = None
    channel_id: int | None = None
    description: str | None = None
    scheduled_end_time: str | None = None
    privacy_level: int = 2
    status: int = 1
    entity_metadata: JSON | None = None
    image: str | None = None
    recurrence_rule: JSON | None = None
    user_count: int = 0


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    joined_at: str = ""
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    events: dict[int, ScheduledEvent] = field(default_factory=dict)
    features: list[str] = field(default_factory=lambda: ["COMMUNITY", "NEWS"])
    system_channel_id: int | None = None
    bot_role_id: int | None = None

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def base_dict(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [r.to_dict() for r in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "features": list(self.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": _opt(self.system_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "max_presences": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "incidents_data": None,
        }


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)
