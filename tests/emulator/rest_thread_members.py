"""REST: thread members (join/leave/add/remove/list) and thread listings."""

from __future__ import annotations

from typing import Any

from .errors import ApiError
from .gateway import Intent
from .models import Channel, ChannelType
from .permissions import P
from .rest_channels import readable_channel, send_permissions
from .server import Reply, Req, no_content, ok

JSON = dict[str, Any]


def _thread(req: Req) -> Channel:
    thread = readable_channel(req)
    if not thread.is_thread:
        raise ApiError(400, 50024)
    return thread


def _members_update(
    req: Req, thread: Channel, *, added: int | None = None, removed: int | None = None
) -> None:
    data: JSON = {
        "id": str(thread.id),
        "guild_id": str(thread.guild_id),
        "member_count": min(len(thread.thread_members), 50),
    }
    if added is not None:
        member = req.state.thread_member_payload(thread, added)
        guild_member = req.state.member_payload(thread.guild_id or 0, added)
        if guild_member is not None:
            member["member"] = guild_member
        data["added_members"] = [member]
    if removed is not None:
        data["removed_member_ids"] = [str(removed)]
    about_bot = req.emu.bot_user.id in (added, removed)
    intent = Intent.GUILDS if about_bot else Intent.GUILD_MEMBERS
    req.emu.gateway.dispatch("THREAD_MEMBERS_UPDATE", data, intent=intent)


def _target_user(req: Req) -> int:
    raw = req.params.get("user_id")
    return req.emu.bot_user.id if raw is None else int(raw)


async def add_thread_member(req: Req) -> Reply:
    thread = _thread(req)
    user_id = _target_user(req)
    bot_id = req.emu.bot_user.id
    if thread.archived:
        raise ApiError(400, 50083)
    perms = req.state.require(thread, bot_id)
    if user_id != bot_id:
        send_permissions(req, thread)
        if req.state.member(thread.guild_id or 0, user_id) is None:
            raise ApiError(404, 10007)
        if (
            thread.type == ChannelType.PRIVATE_THREAD
            and not thread.invitable
            and not perms & P.MANAGE_THREADS
        ):
            raise ApiError(403, 50013)
    elif (
        thread.type == ChannelType.PRIVATE_THREAD
        and not perms & P.MANAGE_THREADS
        and bot_id not in thread.thread_members
    ):
        raise ApiError(403, 50001)
    if user_id not in thread.thread_members:
        thread.thread_members[user_id] = req.emu.clock.iso()
        if user_id == bot_id and thread.type == ChannelType.PRIVATE_THREAD:
            # joining a private thread syncs it to the bot first
            payload = req.state.channel_payload(thread, for_user=bot_id)
            req.emu.gateway.dispatch("THREAD_CREATE", payload, intent=Intent.GUILDS)
        _members_update(req, thread, added=user_id)
    return no_content()


async def remove_thread_member(req: Req) -> Reply:
    thread = _thread(req)
    user_id = _target_user(req)
    bot_id = req.emu.bot_user.id
    if thread.archived:
        raise ApiError(400, 50083)
    perms = req.state.require(thread, bot_id)
    if user_id != bot_id:
        private_owner = thread.type == ChannelType.PRIVATE_THREAD and thread.owner_id == bot_id
        if not perms & P.MANAGE_THREADS and not private_owner:
            raise ApiError(403, 50013)
    if thread.thread_members.pop(user_id, None) is not None:
        _members_update(req, thread, removed=user_id)
    return no_content()


async def get_thread_member(req: Req) -> Reply:
    thread = _thread(req)
    user_id = _target_user(req)
    if user_id not in thread.thread_members:
        raise ApiError(404, 10007)
    data = req.state.thread_member_payload(thread, user_id)
    if req.flag("with_member"):
        data["member"] = req.state.member_payload(thread.guild_id or 0, user_id)
    return ok(data)


async def list_thread_members(req: Req) -> Reply:
    thread = _thread(req)
    if not req.emu.privileged_intents & Intent.GUILD_MEMBERS:
        raise ApiError(403, 50001)
    out = []
    for uid in thread.thread_members:
        data = req.state.thread_member_payload(thread, uid)
        if req.flag("with_member"):
            data["member"] = req.state.member_payload(thread.guild_id or 0, uid)
        out.append(data)
    return ok(out)


async def active_threads(req: Req) -> Reply:
    guild = req.state.guild(req.id("guild_id"))
    bot_id = req.emu.bot_user.id
    threads = [c for c in guild.channels.values() if c.is_thread and not c.archived]
    threads = [t for t in threads if req.state.permissions(t, bot_id) & P.VIEW_CHANNEL]
    members = [
        req.state.thread_member_payload(t, bot_id) for t in threads if bot_id in t.thread_members
    ]
    return ok({"threads": [t.to_dict() for t in threads], "members": members})


async def archived_public_threads(req: Req) -> Reply:
    parent = readable_channel(req)
    req.state.require(parent, req.emu.bot_user.id, P.READ_MESSAGE_HISTORY)
    threads = [
        c
        for c in req.state.channels.values()
        if c.parent_id == parent.id and c.archived and c.type != ChannelType.PRIVATE_THREAD
    ]
    bot_id = req.emu.bot_user.id
    members = [
        req.state.thread_member_payload(t, bot_id) for t in threads if bot_id in t.thread_members
    ]
    return ok({"threads": [t.to_dict() for t in threads], "members": members, "has_more": False})
