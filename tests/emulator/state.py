"""The emulator's world: users, guilds, channels, messages, events, commands."""

from __future__ import annotations

from typing import Any

from .errors import ApiError, not_found
from .ids import EmuClock, SnowflakeFactory
from .models import Channel, ChannelType, Guild, Member, Message, ScheduledEvent, User
from .permissions import P, base_permissions, channel_permissions

JSON = dict[str, Any]


class EmulatorState:
    def __init__(self, clock: EmuClock, ids: SnowflakeFactory) -> None:
        self.clock = clock
        self.ids = ids
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.dm_channels: dict[int, int] = {}  # recipient user id -> DM channel id
        self.closed_dms: set[int] = set()
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        # guild id -> command id (or the application id: every command) -> overwrites
        self.command_permissions: dict[int, dict[int, list[JSON]]] = {}
        self.pins: dict[int, list[tuple[int, str]]] = {}  # channel id -> (message id, pinned_at)
        self.cdn: dict[str, bytes] = {}  # attachment url -> the bytes Discord's CDN serves
        self.bot_user: User | None = None

    # -- lookups ------------------------------------------------------------------------------

    @property
    def bot(self) -> User:
        assert self.bot_user is not None
        return self.bot_user

    def guild(self, guild_id: int) -> Guild:
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise not_found(10004)
        return guild

    def channel(self, channel_id: int) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise not_found(10003)
        return channel

    def message(self, channel_id: int, message_id: int) -> Message:
        msg = self.messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted or msg.ephemeral:
            raise not_found(10008)
        return msg

    def user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise not_found(10013)
        return user

    def member(self, guild_id: int, user_id: int) -> Member | None:
        return self.guild(guild_id).members.get(user_id)

    def guild_of(self, channel: Channel) -> Guild | None:
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def messages_in(self, channel_id: int) -> list[Message]:
        ids = self.channel_messages.get(channel_id, [])
        return [self.messages[i] for i in ids if not self.messages[i].deleted]

    # -- permissions ----------------------------------------------------------------------------

    def permissions(self, channel: Channel, user_id: int) -> int:
        guild = self.guild_of(channel)
        if guild is None:  # DM
            return (
                P.VIEW_CHANNEL
                | P.SEND_MESSAGES
                | P.EMBED_LINKS
                | P.ATTACH_FILES
                | P.READ_MESSAGE_HISTORY
            )
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return channel_permissions(guild, channel, user_id, member.roles)

    def guild_permissions(self, guild: Guild, user_id: int) -> int:
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return base_permissions(guild, user_id, member.roles)

    def require(self, channel: Channel, user_id: int, *bits: int) -> int:
        """Raise 403 like Discord does: 50001 without VIEW_CHANNEL, else 50013."""
        perms = self.permissions(channel, user_id)
        if not perms & P.VIEW_CHANNEL:
            raise ApiError(403, 50001)
        for bit in bits:
            if not perms & bit:
                raise ApiError(403, 50013)
        return perms

    # -- payloads -------------------------------------------------------------------------------

    def member_payload(self, guild_id: int, user_id: int, *, with_user: bool = True) -> JSON | None:
        guild = self.guilds.get(guild_id)
        member = None if guild is None else guild.members.get(user_id)
        return None if member is None else member.to_dict(with_user=with_user)

    def channel_payload(self, channel: Channel, *, for_user: int | None = None) -> JSON:
        data = channel.to_dict()
        if channel.is_thread and for_user is not None and for_user in channel.thread_members:
            data["member"] = self.thread_member_payload(channel, for_user, with_ids=False)
        return data

    def thread_member_payload(
        self, thread: Channel, user_id: int, *, with_ids: bool = True
    ) -> JSON:
        data: JSON = {"join_timestamp": thread.thread_members[user_id], "flags": 0}
        if with_ids:
            data["id"] = str(thread.id)
            data["user_id"] = str(user_id)
        return data

    def message_payload(
        self, msg: Message, *, gateway: bool = False, with_nonce: bool = False
    ) -> JSON:
        data: JSON = {
            "id": str(msg.id),
            "type": msg.type,
            "channel_id": str(msg.channel_id),
            "author": msg.author.to_dict(),
            "content": msg.content,
            "timestamp": msg.timestamp,
            "edited_timestamp": msg.edited_timestamp,
            "tts": msg.tts,
            "mention_everyone": msg.mention_everyone,
            "mentions": [self._mention_payload(msg, uid) for uid in msg.mention_ids],
            "mention_roles": [str(r) for r in msg.mention_role_ids],
            "attachments": [dict(a) for a in msg.attachments],
            "embeds": [dict(e) for e in msg.embeds],
            "components": [dict(c) for c in msg.components],
            "pinned": msg.pinned,
            "flags": msg.flags,
        }
        # Discord echoes a nonce only to its sender: in the create response and in
        # MESSAGE_CREATE. A message read back later carries none.
        if with_nonce and msg.nonce is not None:
            data["nonce"] = msg.nonce
        if msg.position is not None:
            data["position"] = msg.position
        if msg.reactions:
            data["reactions"] = [
                {
                    "emoji": {"id": None, "name": emoji},
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": self.bot.id in users,
                    "me_burst": False,
                    "burst_colors": [],
                }
                for emoji, users in msg.reactions.items()
            ]
        for key in ("message_reference", "interaction_metadata", "interaction", "poll"):
            value = getattr(msg, key)
            if value is not None:
                data[key] = value
        if msg.webhook_id is not None:
            data["webhook_id"] = str(msg.webhook_id)
        if msg.application_id is not None:
            data["application_id"] = str(msg.application_id)
        if msg.thread_id is not None and msg.thread_id in self.channels:
            data["thread"] = self.channels[msg.thread_id].to_dict()
        ref = msg.message_reference
        if ref and ref.get("type", 0) == 0 and msg.type == 19 and ref.get("message_id"):
            ref_msg = self.messages.get(int(ref["message_id"]))
            data["referenced_message"] = (
                None if ref_msg is None or ref_msg.deleted else self.message_payload(ref_msg)
            )
        if gateway and msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
            if msg.webhook_id is None:
                member = self.member_payload(msg.guild_id, msg.author.id, with_user=False)
                if member is not None:
                    data["member"] = member
        return data

    def _mention_payload(self, msg: Message, user_id: int) -> JSON:
        user = self.users.get(user_id)
        data: JSON = user.to_dict() if user is not None else {"id": str(user_id)}
        if msg.guild_id is not None:
            member = self.member_payload(msg.guild_id, user_id, with_user=False)
            if member is not None:
                data["member"] = member
        return data

    def event_payload(self, event: ScheduledEvent) -> JSON:
        data: JSON = {
            "id": str(event.id),
            "guild_id": str(event.guild_id),
            "channel_id": None if event.channel_id is None else str(event.channel_id),
            "creator_id": None if event.creator_id is None else str(event.creator_id),
            "name": event.name,
            "description": event.description,
            "scheduled_start_time": event.scheduled_start_time,
            "scheduled_end_time": event.scheduled_end_time,
            "privacy_level": event.privacy_level,
            "status": event.status,
            "entity_type": event.entity_type,
            "entity_id": None,
            "entity_metadata": event.entity_metadata,
            "image": event.image,
            "recurrence_rule": event.recurrence_rule,
            "user_count": event.user_count,
        }
        creator = None if event.creator_id is None else self.users.get(event.creator_id)
        if creator is not None:
            data["creator"] = creator.to_dict()
        return data

    def guild_create_payload(self, guild: Guild, *, all_members: bool) -> JSON:
        data = guild.base_dict()
        members = [
            m.to_dict() for uid, m in guild.members.items() if all_members or uid == self.bot.id
        ]
        channels = [c for c in guild.channels.values() if not c.is_thread]
        threads = [
            c
            for c in guild.channels.values()
            if c.is_thread and not c.archived and self._bot_sees_thread(c)
        ]
        data.update(
            {
                "joined_at": guild.joined_at,
                "large": False,
                "unavailable": False,
                "member_count": len(guild.members),
                "voice_states": [],
                "members": members,
                "channels": [c.to_dict(include_guild_id=False) for c in channels],
                "threads": [self.channel_payload(t, for_user=self.bot.id) for t in threads],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [self.event_payload(e) for e in guild.events.values()],
                "soundboard_sounds": [],
                "embedded_activities": [],
                "activity_instances": [],
                "lazy": True,
            }
        )
        return data

    def _bot_sees_thread(self, thread: Channel) -> bool:
        if thread.type != ChannelType.PRIVATE_THREAD:
            return bool(self.permissions(thread, self.bot.id) & P.VIEW_CHANNEL)
        if self.bot.id in thread.thread_members:
            return True
        return bool(self.permissions(thread, self.bot.id) & P.MANAGE_THREADS)

    def interaction_channel_payload(self, channel: Channel, user_id: int) -> JSON:
        data = channel.to_dict()
        data["permissions"] = str(self.permissions(channel, user_id))
        return data
