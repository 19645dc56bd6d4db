"""REST: threads (from a message, standalone, private, forum posts), members, channel edits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import messaging
from .errors import ApiError, FormErrors, form_error
from .gateway import Intent
from .limits import APPLIED_TAGS_MAX, check_length, validate_available_tags, validate_thread_name
from .models import Channel, ChannelType
from .permissions import P
from .rest_channels import readable_channel
from .server import Reply, Req, ok

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = dict[str, Any]
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
FLAG_HAS_THREAD = 1 << 5
FORUM_REQUIRE_TAG = 1 << 4
OWNER_EDITABLE = {"name", "archived", "auto_archive_duration", "applied_tags"}


def new_thread(
    emu: DiscordEmulator,
    parent: Channel,
    body: JSON,
    *,
    thread_id: int,
    thread_type: int,
    owner_id: int,
) -> Channel:
    """Create and register a thread; its creator becomes the first member. No events."""
    now = emu.clock.iso()
    duration = int(body.get("auto_archive_duration") or parent.default_auto_archive_duration)
    if duration not in ARCHIVE_DURATIONS:
        raise form_error(
            ("auto_archive_duration",),
            "BASE_TYPE_CHOICES",
            "Value must be one of {60, 1440, 4320, 10080}.",
        )
    thread = Channel(
        id=thread_id,
        type=thread_type,
        name=body["name"],
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=owner_id,
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        auto_archive_duration=duration,
        archive_timestamp=now,
        create_timestamp=now,
        invitable=bool(body.get("invitable", True)),
        forum_post=parent.type in (ChannelType.FORUM, ChannelType.MEDIA),
    )
    thread.thread_members[owner_id] = now
    emu.state.channels[thread.id] = thread
    emu.state.guild(parent.guild_id or 0).channels[thread.id] = thread
    return thread


def announce_thread(emu: DiscordEmulator, thread: Channel) -> None:
    payload = emu.state.channel_payload(thread, for_user=emu.bot_user.id)
    payload["newly_created"] = True
    emu.gateway.dispatch("THREAD_CREATE", payload, intent=Intent.GUILDS)


def _new_thread(
    req: Req, parent: Channel, body: JSON, *, thread_id: int, thread_type: int
) -> Channel:
    owner = req.emu.bot_user.id
    kind = thread_type
    return new_thread(req.emu, parent, body, thread_id=thread_id, thread_type=kind, owner_id=owner)


def _announce(req: Req, thread: Channel) -> None:
    announce_thread(req.emu, thread)


def _check_name(body: JSON) -> None:
    fe = FormErrors()
    validate_thread_name(body.get("name"), fe)
    fe.raise_if_any()


async def thread_from_message(req: Req) -> Reply:
    parent = readable_channel(req)
    body = req.json()
    if parent.type not in (ChannelType.TEXT, ChannelType.NEWS):
        raise ApiError(400, 50024)
    msg = req.state.message(parent.id, req.id("message_id"))
    req.state.require(parent, req.emu.bot_user.id, P.CREATE_PUBLIC_THREADS, P.READ_MESSAGE_HISTORY)
    _check_name(body)
    if msg.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    kind = ChannelType.NEWS_THREAD if parent.type == ChannelType.NEWS else ChannelType.PUBLIC_THREAD
    thread = _new_thread(req, parent, body, thread_id=msg.id, thread_type=kind)
    msg.thread_id = thread.id
    msg.flags |= FLAG_HAS_THREAD
    _announce(req, thread)
    messaging.dispatch_message(req.emu, "MESSAGE_UPDATE", msg)
    return ok(req.state.channel_payload(thread, for_user=req.emu.bot_user.id))


async def create_thread(req: Req) -> Reply:
    parent = readable_channel(req)
    body = req.json()
    if parent.type in (ChannelType.FORUM, ChannelType.MEDIA):
        return await _forum_post(req, parent, body)
    if parent.type not in (ChannelType.TEXT, ChannelType.NEWS):
        raise ApiError(400, 50024)
    _check_name(body)
    default_type = (
        ChannelType.NEWS_THREAD if parent.type == ChannelType.NEWS else ChannelType.PRIVATE_THREAD
    )
    kind = int(body.get("type") or default_type)
    allowed = {ChannelType.NEWS: {10}, ChannelType.TEXT: {11, 12}}[parent.type]
    if kind not in allowed:
        raise form_error(("type",), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(allowed)}.")
    needed = (
        P.CREATE_PRIVATE_THREADS if kind == ChannelType.PRIVATE_THREAD else P.CREATE_PUBLIC_THREADS
    )
    req.state.require(parent, req.emu.bot_user.id, needed)
    thread = _new_thread(req, parent, body, thread_id=req.emu.ids.next(), thread_type=kind)
    _announce(req, thread)
    return ok(req.state.channel_payload(thread, for_user=req.emu.bot_user.id))


def check_applied_tags(parent: Channel, tags: Any, fe: FormErrors) -> list[int]:
    tags = [int(t) for t in tags or []]
    if len(tags) > APPLIED_TAGS_MAX:
        fe.max_length(("applied_tags",), APPLIED_TAGS_MAX)
    known = {int(t["id"]) for t in parent.available_tags}
    for i, tag in enumerate(tags):
        if tag not in known:
            fe.add(("applied_tags", i), "UNKNOWN_TAG", "Unknown tag")
    if not tags and parent.flags & FORUM_REQUIRE_TAG:
        fe.add(
            ("applied_tags",),
            "REQUIRED_TAG",
            "A tag is required to create a forum post in this channel",
        )
    return list(dict.fromkeys(tags))


async def _forum_post(req: Req, parent: Channel, body: JSON) -> Reply:
    req.state.require(parent, req.emu.bot_user.id, P.SEND_MESSAGES)
    message_body = body.get("message")
    if not isinstance(message_body, dict):
        raise form_error(("message",), "BASE_TYPE_REQUIRED", "This field is required")
    fe = FormErrors()
    validate_thread_name(body.get("name"), fe)
    tags = check_applied_tags(parent, body.get("applied_tags"), fe)
    fe.raise_if_any()
    flags = messaging.validate_create(message_body, req.files)
    thread = _new_thread(req, parent, body, thread_id=req.emu.ids.next(), thread_type=11)
    thread.applied_tags = tags
    _announce(req, thread)
    msg = messaging.new_message(
        req.emu,
        thread,
        req.emu.bot_user,
        message_body,
        files=req.files,
        flags=flags,
        message_id=thread.id,
    )
    payload = req.state.channel_payload(thread, for_user=req.emu.bot_user.id)
    payload["message"] = req.state.message_payload(msg)
    return ok(payload)


async def patch_channel(req: Req) -> Reply:
    channel = readable_channel(req)
    body = req.json()
    if channel.is_thread:
        _patch_thread(req, channel, body)
        req.emu.gateway.dispatch(
            "THREAD_UPDATE", req.state.channel_payload(channel), intent=Intent.GUILDS
        )
    else:
        if channel.guild_id is None:
            raise ApiError(400, 50024)
        req.state.require(channel, req.emu.bot_user.id, P.MANAGE_CHANNELS)
        _patch_guild_channel(req, channel, body)
        req.emu.gateway.dispatch("CHANNEL_UPDATE", channel.to_dict(), intent=Intent.GUILDS)
    return ok(req.state.channel_payload(channel, for_user=req.emu.bot_user.id))


def _patch_guild_channel(req: Req, channel: Channel, body: JSON) -> None:
    fe = FormErrors()
    if "name" in body:
        check_length(fe, ("name",), body["name"], 100, low=1, required=True)
    if "topic" in body:
        forum = channel.type in (ChannelType.FORUM, ChannelType.MEDIA)
        check_length(fe, ("topic",), body["topic"], 4096 if forum else 1024)
    if "available_tags" in body:
        if channel.type not in (ChannelType.FORUM, ChannelType.MEDIA):
            fe.add(("available_tags",), "CHANNEL_TYPE_INVALID", "Only forum channels have tags")
        validate_available_tags(body["available_tags"], fe)
    fe.raise_if_any()
    for key in (
        "name",
        "topic",
        "nsfw",
        "rate_limit_per_user",
        "position",
        "flags",
        "default_auto_archive_duration",
    ):
        if key in body:
            setattr(channel, key, body[key])
    if "available_tags" in body:
        existing = {str(t["id"]) for t in channel.available_tags}
        tags = []
        for tag in body["available_tags"]:
            tag_id = (
                str(tag["id"])
                if tag.get("id") and str(tag["id"]) in existing
                else str(req.emu.ids.next())
            )
            tags.append(
                {
                    "id": tag_id,
                    "name": tag["name"],
                    "moderated": bool(tag.get("moderated", False)),
                    "emoji_id": None if tag.get("emoji_id") is None else str(tag["emoji_id"]),
                    "emoji_name": tag.get("emoji_name"),
                }
            )
        channel.available_tags = tags
    if "permission_overwrites" in body:
        from .models import Overwrite

        channel.overwrites = [Overwrite.from_any(o) for o in body["permission_overwrites"] or []]


def _patch_thread(req: Req, thread: Channel, body: JSON) -> None:
    bot_id = req.emu.bot_user.id
    perms = req.state.require(thread, bot_id)
    moderator = bool(perms & P.MANAGE_THREADS)
    owner = thread.owner_id == bot_id
    if not moderator:
        # the creator may rename, (un)archive, retime and retag; locked threads only unarchive
        allowed = OWNER_EDITABLE if not thread.locked else {"archived"}
        if not owner or set(body) - allowed:
            raise ApiError(403, 50013)
    if thread.archived and body.get("archived", True) is not False:
        raise ApiError(400, 50083)
    fe = FormErrors()
    if "name" in body:
        validate_thread_name(body["name"], fe)
    tags = None
    if "applied_tags" in body:
        parent = req.state.channels.get(thread.parent_id or 0)
        if parent is None or parent.type not in (ChannelType.FORUM, ChannelType.MEDIA):
            fe.add(("applied_tags",), "CHANNEL_TYPE_INVALID", "Only forum posts have tags")
        else:
            tags = check_applied_tags(parent, body["applied_tags"], fe)
    if "auto_archive_duration" in body and body["auto_archive_duration"] not in ARCHIVE_DURATIONS:
        fe.add(
            ("auto_archive_duration",),
            "BASE_TYPE_CHOICES",
            "Value must be one of {60, 1440, 4320, 10080}.",
        )
    fe.raise_if_any()
    if "archived" in body and bool(body["archived"]) != thread.archived:
        thread.archived = bool(body["archived"])
        thread.archive_timestamp = req.emu.clock.iso()
    for key in (
        "name",
        "locked",
        "invitable",
        "auto_archive_duration",
        "rate_limit_per_user",
        "flags",
    ):
        if key in body and body[key] is not None:
            setattr(thread, key, body[key])
    if tags is not None:
        thread.applied_tags = tags
