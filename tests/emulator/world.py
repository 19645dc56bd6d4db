"""Building the emulated world (users, guilds, roles, members, channels) and users acting in it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import messaging
from .commands import CHANNEL_TARGET, ROLE_TARGET, USER_TARGET, EmulatorUsageError
from .errors import FormErrors
from .gateway import Gateway, Intent
from .ids import EmuClock, SnowflakeFactory
from .models import Channel, ChannelType, Guild, Member, Message, Overwrite, Role, User
from .permissions import DEFAULT_EVERYONE, P
from .rest_threads import announce_thread, check_applied_tags, new_thread
from .state import EmulatorState

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = dict[str, Any]


class WorldMixin:
    """World-building API of ``DiscordEmulator`` (kept separate to keep modules small)."""

    clock: EmuClock
    ids: SnowflakeFactory
    state: EmulatorState
    gateway: Gateway
    bot_user: User
    default_bot_permissions: int
    application_id: int
    shard_count: int

    def _emu(self) -> DiscordEmulator:
        return self  # type: ignore[return-value]

    # -- building the world ---------------------------------------------------------------------

    def add_user(
        self, name: str, *, global_name: str | None = None, bot: bool = False, locale: str = "en-US"
    ) -> User:
        user = User(
            id=self.ids.next(), username=name, global_name=global_name, bot=bot, locale=locale
        )
        self.state.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Guild",
        owner_id: int | None = None,
        *,
        bot_permissions: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE,
        shard_id: int | None = None,
    ) -> Guild:
        """A guild (on ``shard_id`` of the emulator's ``shard_count`` when given)."""
        owner = (
            self.state.user(owner_id) if owner_id is not None else self.add_user(f"{name}-owner")
        )
        guild_id = (
            self.ids.next()
            if shard_id is None
            else self.ids.next_on_shard(shard_id, self.shard_count)
        )
        guild = Guild(id=guild_id, name=name, owner_id=owner.id, joined_at=self.clock.iso())
        guild.roles[guild.id] = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=everyone_permissions
        )
        self.state.guilds[guild.id] = guild
        perms = self.default_bot_permissions if bot_permissions is None else bot_permissions
        bot_role = Role(
            id=self.ids.next(),
            guild_id=guild.id,
            name=self.bot_user.username,
            permissions=perms,
            position=1,
            managed=True,
            tags={"bot_id": str(self.bot_user.id)},
        )
        guild.roles[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        for user, roles in ((owner, []), (self.bot_user, [bot_role.id])):
            guild.members[user.id] = Member(user, guild.id, roles, joined_at=self.clock.iso())
        # the bot "joins": one GUILD_CREATE if it is connected, like Discord on a guild join
        all_members = self.gateway.has_intent(Intent.GUILD_MEMBERS)
        payload = self.state.guild_create_payload(guild, all_members=all_members)
        self.gateway.dispatch("GUILD_CREATE", payload)
        return guild

    def add_role(self, guild_id: int, name: str, permissions: int = 0, **fields: Any) -> Role:
        guild = self.state.guild(guild_id)
        role = Role(
            id=self.ids.next(),
            guild_id=guild_id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            **fields,
        )
        guild.roles[role.id] = role
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild_id), "role": role.to_dict()},
            intent=Intent.GUILDS,
        )
        return role

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> Role:
        role = self.state.guild(guild_id).roles[role_id]
        role.permissions = permissions
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild_id), "role": role.to_dict()},
            intent=Intent.GUILDS,
        )
        return role

    def set_role_mentionable(self, guild_id: int, role_id: int, mentionable: bool = True) -> Role:
        """Server Settings → Roles → "Allow anyone to @mention this role"."""
        role = self.state.guild(guild_id).roles[role_id]
        role.mentionable = mentionable
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild_id), "role": role.to_dict()},
            intent=Intent.GUILDS,
        )
        return role

    def set_bot_permissions(self, guild_id: int, permissions: int) -> Role:
        """Set the permissions of the bot's managed role in a guild."""
        guild = self.state.guild(guild_id)
        assert guild.bot_role_id is not None
        return self.set_role_permissions(guild_id, guild.bot_role_id, permissions)

    def add_member(
        self, guild_id: int, user: User, roles: Iterable[int] = (), *, nick: str | None = None
    ) -> Member:
        guild = self.state.guild(guild_id)
        member = Member(
            user=user, guild_id=guild_id, roles=list(roles), nick=nick, joined_at=self.clock.iso()
        )
        guild.members[user.id] = member
        if user.id != self.bot_user.id:
            data = member.to_dict()
            data["guild_id"] = str(guild_id)
            self.gateway.dispatch("GUILD_MEMBER_ADD", data, intent=Intent.GUILD_MEMBERS)
        return member

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """A member leaves (or is kicked from) the server; Discord takes them out of its
        threads too."""
        guild = self.state.guild(guild_id)
        member = guild.members.pop(user_id)
        for channel in guild.channels.values():
            channel.thread_members.pop(user_id, None)
        data = {"guild_id": str(guild_id), "user": member.user.to_dict()}
        self.gateway.dispatch("GUILD_MEMBER_REMOVE", data, intent=Intent.GUILD_MEMBERS)

    def set_member_roles(self, guild_id: int, user_id: int, roles: Iterable[int]) -> Member:
        member = self.state.guild(guild_id).members[user_id]
        member.roles = list(roles)
        data = member.to_dict()
        data["guild_id"] = str(guild_id)
        about_bot = user_id == self.bot_user.id
        self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", data, intent=None if about_bot else Intent.GUILD_MEMBERS
        )
        return member

    def set_bot_roles(self, guild_id: int, roles: Iterable[int]) -> Member:
        return self.set_member_roles(guild_id, self.bot_user.id, roles)

    def _add_channel(
        self,
        guild_id: int,
        ctype: int,
        name: str,
        overwrites: Iterable[Overwrite | JSON] = (),
        **fields: Any,
    ) -> Channel:
        guild = self.state.guild(guild_id)
        position = sum(1 for c in guild.channels.values() if not c.is_thread)
        channel = Channel(
            id=self.ids.next(),
            type=ctype,
            name=name,
            guild_id=guild_id,
            position=position,
            overwrites=[Overwrite.from_any(o) for o in overwrites],
            **fields,
        )
        guild.channels[channel.id] = channel
        self.state.channels[channel.id] = channel
        if guild.system_channel_id is None and ctype == ChannelType.TEXT:
            guild.system_channel_id = channel.id
        self.gateway.dispatch("CHANNEL_CREATE", channel.to_dict(), intent=Intent.GUILDS)
        return channel

    def add_text_channel(self, guild_id: int, name: str, **kw: Any) -> Channel:
        return self._add_channel(guild_id, ChannelType.TEXT, name, **kw)

    def add_news_channel(self, guild_id: int, name: str, **kw: Any) -> Channel:
        return self._add_channel(guild_id, ChannelType.NEWS, name, **kw)

    def add_voice_channel(self, guild_id: int, name: str, **kw: Any) -> Channel:
        return self._add_channel(guild_id, ChannelType.VOICE, name, **kw)

    def add_stage_channel(self, guild_id: int, name: str, **kw: Any) -> Channel:
        return self._add_channel(guild_id, ChannelType.STAGE, name, **kw)

    def add_category(self, guild_id: int, name: str, **kw: Any) -> Channel:
        return self._add_channel(guild_id, ChannelType.CATEGORY, name, **kw)

    def add_forum_channel(
        self,
        guild_id: int,
        name: str,
        *,
        tags: Iterable[str | JSON] = (),
        require_tag: bool = False,
        **kw: Any,
    ) -> Channel:
        available = []
        for tag in tags:
            data = {"name": tag} if isinstance(tag, str) else dict(tag)
            available.append(
                {
                    "id": str(self.ids.next()),
                    "name": data["name"],
                    "moderated": data.get("moderated", False),
                    "emoji_id": None,
                    "emoji_name": data.get("emoji_name"),
                }
            )
        flags = kw.pop("flags", 0) | ((1 << 4) if require_tag else 0)
        return self._add_channel(
            guild_id, ChannelType.FORUM, name, available_tags=available, flags=flags, **kw
        )

    def set_command_permissions(
        self,
        guild_id: int,
        command: str | None,
        *,
        roles: Mapping[int, bool] | None = None,
        users: Mapping[int, bool] | None = None,
        channels: Mapping[int, bool] | None = None,
    ) -> None:
        """What an admin sets in Server Settings → Integrations: who may use ``command``
        (a synced chat-input command's name; None: every command of the app) in this
        server, replacing what was set before. ``guild_id`` as a role is @everyone,
        ``guild_id - 1`` as a channel is every channel. A bot cannot set these (Discord
        wants a user's Bearer token), so this is a world call, not a route."""
        if command is None:
            target = self.application_id
        else:
            synced = [*self.state.guild_commands.get(guild_id, []), *self.state.global_commands]
            found = [c for c in synced if c["name"] == command and c["type"] == 1]
            if not found:
                raise EmulatorUsageError(f"no synced command {command!r} to set permissions of")
            target = int(found[0]["id"])
        overwrites = [
            {"id": str(target_id), "type": kind, "permission": allow}
            for kind, chosen in (
                (ROLE_TARGET, roles),
                (USER_TARGET, users),
                (CHANNEL_TARGET, channels),
            )
            for target_id, allow in (chosen or {}).items()
        ]
        self.state.command_permissions.setdefault(guild_id, {})[target] = overwrites

    def close_dms(self, user_id: int) -> None:
        self.state.closed_dms.add(user_id)

    def open_dms(self, user_id: int) -> None:
        self.state.closed_dms.discard(user_id)

    def dm_channel_for(self, user: User) -> Channel:
        channel_id = self.state.dm_channels.get(user.id)
        if channel_id is None:
            channel = Channel(id=self.ids.next(), type=ChannelType.DM, recipients=[user])
            self.state.channels[channel.id] = channel
            self.state.dm_channels[user.id] = channel.id
            return channel
        return self.state.channels[channel_id]

    def _check_poster(self, channel: Channel, user: User) -> int:
        if channel.guild_id is None:
            if user not in channel.recipients:
                raise EmulatorUsageError(f"{user.username} is not in DM channel {channel.id}")
            return P.VIEW_CHANNEL | P.SEND_MESSAGES
        guild = self.state.guild(channel.guild_id)
        if user.id not in guild.members:
            raise EmulatorUsageError(f"{user.username} is not a member of {guild.name!r}")
        forum = channel.type in (ChannelType.FORUM, ChannelType.MEDIA)
        needed = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
        perms = self.state.permissions(channel, user.id)
        if not perms & P.VIEW_CHANNEL or not perms & needed:
            raise EmulatorUsageError(f"{user.username} cannot post in {channel.name!r}")
        if not forum and channel.type not in ChannelType.MESSAGEABLE:
            raise EmulatorUsageError(f"cannot post messages in channel type {channel.type}")
        return perms

    def user_message(
        self,
        channel_id: int,
        user: User,
        content: str = "",
        *,
        reply_to: Message | None = None,
        **body: Any,
    ) -> Message:
        """A user posts in a channel or thread (or DMs the bot, given the DM channel id)."""
        channel = self.state.channel(channel_id)
        if channel.type in (ChannelType.FORUM, ChannelType.MEDIA):
            raise EmulatorUsageError("forum channels take posts: use user_forum_post")
        perms = self._check_poster(channel, user)
        emu = self._emu()
        if channel.is_thread:
            messaging.unarchive_for_send(emu, channel, perms, P.MANAGE_THREADS)
        extra: dict[str, Any] = {}
        if reply_to is not None:
            extra["message_reference"] = {
                "type": 0,
                "channel_id": str(reply_to.channel_id),
                "message_id": str(reply_to.id),
                **({"guild_id": str(reply_to.guild_id)} if reply_to.guild_id else {}),
            }
        msg = messaging.new_message(
            emu,
            channel,
            user,
            {"content": content, **body},
            msg_type=19 if reply_to is not None else 0,
            dispatch=False,
            **extra,
        )
        if reply_to is not None and reply_to.author.id not in msg.mention_ids:
            msg.mention_ids.append(reply_to.author.id)  # replies ping the author by default
            msg.notified_ids = messaging.notified_users(emu, channel, msg)
        messaging.dispatch_message(emu, "MESSAGE_CREATE", msg)
        return msg

    def user_dm(self, user: User, content: str = "", **body: Any) -> Message:
        """A user DMs the bot."""
        return self.user_message(self.dm_channel_for(user).id, user, content, **body)

    def user_forum_post(
        self,
        forum_id: int,
        user: User,
        name: str,
        content: str = "",
        *,
        applied_tags: Iterable[int] = (),
        tags: Iterable[str] = (),
        **body: Any,
    ) -> tuple[Channel, Message]:
        """A user opens a forum post: THREAD_CREATE, then the starter message (same id).
        Tags are given by id (``applied_tags``) or by name (``tags``)."""
        forum = self.state.channel(forum_id)
        if forum.type not in (ChannelType.FORUM, ChannelType.MEDIA):
            raise EmulatorUsageError(f"channel {forum_id} is not a forum")
        self._check_poster(forum, user)
        by_name = {t["name"]: int(t["id"]) for t in forum.available_tags}
        unknown = [name for name in tags if name not in by_name]
        if unknown:
            raise EmulatorUsageError(f"forum {forum.name!r} has no tag(s) {unknown}")
        errors = FormErrors()
        wanted = [*applied_tags, *(by_name[name] for name in tags)]
        applied = check_applied_tags(forum, wanted, errors)
        if errors:
            raise EmulatorUsageError(f"the client would refuse this post: {errors.tree}")
        emu = self._emu()
        thread = new_thread(
            emu, forum, {"name": name}, thread_id=self.ids.next(), thread_type=11, owner_id=user.id
        )
        thread.applied_tags = applied
        announce_thread(emu, thread)
        msg = messaging.new_message(
            emu, thread, user, {"content": content, **body}, message_id=thread.id
        )
        return thread, msg

    def user_thread(self, message: Message, user: User, name: str) -> Channel:
        """A user starts a public thread from a message (thread id == message id)."""
        parent = self.state.channel(message.channel_id)
        perms = self._check_poster(parent, user)
        if not perms & P.CREATE_PUBLIC_THREADS:
            raise EmulatorUsageError(f"{user.username} cannot create threads in {parent.name!r}")
        if message.thread_id is not None:
            raise EmulatorUsageError("this message already has a thread")
        emu = self._emu()
        kind = ChannelType.NEWS_THREAD if parent.type == ChannelType.NEWS else 11
        thread = new_thread(
            emu, parent, {"name": name}, thread_id=message.id, thread_type=kind, owner_id=user.id
        )
        message.thread_id = thread.id
        message.flags |= 1 << 5
        announce_thread(emu, thread)
        messaging.dispatch_message(emu, "MESSAGE_UPDATE", message)
        return thread

    def auto_archive(self, thread_id: int) -> Channel:
        """Discord archives a thread by itself after its ``auto_archive_duration``
        without messages (THREAD_UPDATE follows); nobody acts."""
        thread = self.state.channel(thread_id)
        if not thread.is_thread:
            raise EmulatorUsageError(f"channel {thread_id} is not a thread")
        emu = self._emu()
        thread.archived = True
        thread.archive_timestamp = emu.clock.iso()
        payload = self.state.channel_payload(thread)
        emu.gateway.dispatch("THREAD_UPDATE", payload, intent=Intent.GUILDS)
        return thread
