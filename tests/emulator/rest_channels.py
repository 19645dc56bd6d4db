"""REST: channels and messages (send with nonce enforcement, edit, delete, pins, crosspost)."""

from __future__ import annotations

from typing import Any

from . import messaging
from .errors import ApiError, form_error
from .gateway import Intent
from .models import Channel, ChannelType, Message
from .permissions import P
from .server import Reply, Req, no_content, ok

JSON = dict[str, Any]
MAX_PINS = 50
FLAG_CROSSPOSTED = 1 << 0


def readable_channel(req: Req) -> Channel:
    channel = req.state.channel(req.id("channel_id"))
    if channel.guild_id is not None:
        req.state.require(channel, req.emu.bot_user.id)
    return channel


async def get_channel(req: Req) -> Reply:
    channel = readable_channel(req)
    return ok(req.state.channel_payload(channel, for_user=req.emu.bot_user.id))


async def list_messages(req: Req) -> Reply:
    channel = readable_channel(req)
    if channel.guild_id is not None:
        req.state.require(channel, req.emu.bot_user.id, P.READ_MESSAGE_HISTORY)
    limit = int(req.query.get("limit", 50))
    if not 1 <= limit <= 100:
        raise form_error(("limit",), "NUMBER_TYPE_MAX", "int value should be <= 100.")
    msgs = [m for m in req.state.messages_in(channel.id) if not m.ephemeral]
    if "before" in req.query:
        msgs = [m for m in msgs if m.id < int(req.query["before"])]
    if "after" in req.query:
        msgs = [m for m in msgs if m.id > int(req.query["after"])][:limit]
    newest_first = sorted(msgs, key=lambda m: m.id, reverse=True)[:limit]
    return ok([messaging.rest_payload(req.emu, m) for m in newest_first])


async def get_message(req: Req) -> Reply:
    channel = readable_channel(req)
    if channel.guild_id is not None:
        req.state.require(channel, req.emu.bot_user.id, P.READ_MESSAGE_HISTORY)
    msg = req.state.message(channel.id, req.id("message_id"))
    return ok(messaging.rest_payload(req.emu, msg))


def send_permissions(req: Req, channel: Channel) -> int:
    """Check the bot may post in ``channel``; returns its permissions there."""
    state = req.state
    bot_id = req.emu.bot_user.id
    if channel.type == ChannelType.DM:
        recipient = channel.recipients[0]
        shares_guild = any(
            recipient.id in g.members and bot_id in g.members for g in state.guilds.values()
        )
        if recipient.id in state.closed_dms or recipient.bot or not shares_guild:
            raise ApiError(403, 50007)
        return state.permissions(channel, bot_id)
    if not messaging.is_text_target(channel):
        raise ApiError(400, 50008)
    needed = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
    perms = state.require(channel, bot_id, needed)
    private = channel.type == ChannelType.PRIVATE_THREAD
    if private and bot_id not in channel.thread_members and not perms & P.MANAGE_THREADS:
        raise ApiError(403, 50001)
    messaging.unarchive_for_send(req.emu, channel, perms, P.MANAGE_THREADS)
    return perms


def find_nonce_duplicate(req: Req, channel: Channel, nonce: Any) -> Message | None:
    window = req.emu.nonce_window
    now = req.emu.clock.time()
    for msg in reversed(req.state.messages_in(channel.id)):
        if now - msg.created_at > window:
            break
        if (
            msg.author.id == req.emu.bot_user.id
            and msg.nonce is not None
            and str(msg.nonce) == str(nonce)
        ):
            return msg
    return None


def reply_reference(req: Req, channel: Channel, body: JSON, perms: int) -> JSON | None:
    ref = body.get("message_reference")
    if not ref:
        return None
    if ref.get("type", 0) != 0:
        raise form_error(
            ("message_reference", "type"), "BASE_TYPE_CHOICES", "Only replies are emulated"
        )
    target_channel = int(ref.get("channel_id") or channel.id)
    target = req.state.messages.get(int(ref.get("message_id", 0)))
    missing = (
        target is None or target.deleted or target.channel_id != target_channel or target.ephemeral
    )
    if missing:
        if ref.get("fail_if_not_exists", True):
            raise form_error(
                ("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
            )
        return None
    if channel.guild_id is not None and not perms & P.READ_MESSAGE_HISTORY:
        raise ApiError(403, 50013)
    assert target is not None
    out: JSON = {"type": 0, "channel_id": str(target.channel_id), "message_id": str(target.id)}
    if target.guild_id is not None:
        out["guild_id"] = str(target.guild_id)
    return out


async def create_message(req: Req) -> Reply:
    channel = req.state.channel(req.id("channel_id"))
    body = req.json()
    perms = send_permissions(req, channel)
    flags = messaging.validate_create(body, req.files)
    if req.files and channel.guild_id is not None and not perms & P.ATTACH_FILES:
        raise ApiError(403, 50013)
    if body.get("enforce_nonce") and body.get("nonce") is not None:
        earlier = find_nonce_duplicate(req, channel, body["nonce"])
        if earlier is not None:
            return ok(req.state.message_payload(earlier, with_nonce=True))
    reference = reply_reference(req, channel, body, perms)
    msg = messaging.new_message(
        req.emu,
        channel,
        req.emu.bot_user,
        body,
        files=req.files,
        flags=flags,
        msg_type=19 if reference else 0,
        message_reference=reference,
        dispatch=False,
    )
    if reference is not None:
        ping_replied_user(req, channel, msg, body.get("allowed_mentions"))
    messaging.dispatch_message(req.emu, "MESSAGE_CREATE", msg)
    return ok(req.state.message_payload(msg, with_nonce=True))


def ping_replied_user(req: Req, channel: Channel, msg: Message, allowed: JSON | None) -> None:
    """A reply mentions its target's author unless ``allowed_mentions`` leaves out
    ``replied_user`` (without ``allowed_mentions`` at all, it pings)."""
    if allowed is not None and not allowed.get("replied_user"):
        return
    assert msg.message_reference is not None
    target = req.state.messages[int(msg.message_reference["message_id"])]
    if target.author.id not in msg.mention_ids:
        msg.mention_ids.append(target.author.id)
        msg.notified_ids = messaging.notified_users(req.emu, channel, msg)


async def edit_message(req: Req) -> Reply:
    channel = readable_channel(req)
    msg = req.state.message(channel.id, req.id("message_id"))
    body = req.json()
    bot_id = req.emu.bot_user.id
    if channel.is_thread and channel.archived:
        raise ApiError(400, 50083)  # an archived thread takes no edits: unarchive it first
    if msg.author.id != bot_id:
        if set(body) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        req.state.require(channel, bot_id, P.MANAGE_MESSAGES)
    messaging.apply_edit(req.emu, msg, body, req.files)
    return ok(req.state.message_payload(msg))


async def delete_message(req: Req) -> Reply:
    channel = readable_channel(req)
    msg = req.state.message(channel.id, req.id("message_id"))
    if msg.author.id != req.emu.bot_user.id:
        req.state.require(channel, req.emu.bot_user.id, P.MANAGE_MESSAGES)
    messaging.delete(req.emu, msg)
    return no_content()


async def crosspost(req: Req) -> Reply:
    channel = readable_channel(req)
    if channel.type != ChannelType.NEWS:
        raise ApiError(400, 50024)
    msg = req.state.message(channel.id, req.id("message_id"))
    bot_id = req.emu.bot_user.id
    if msg.author.id == bot_id:
        req.state.require(channel, bot_id, P.SEND_MESSAGES)
    else:
        req.state.require(channel, bot_id, P.MANAGE_MESSAGES)
    if msg.flags & FLAG_CROSSPOSTED:
        raise ApiError(400, 40033)
    msg.flags |= FLAG_CROSSPOSTED
    messaging.dispatch_message(req.emu, "MESSAGE_UPDATE", msg)
    return ok(req.state.message_payload(msg))


def _pins_update(req: Req, channel: Channel) -> None:
    data: JSON = {"channel_id": str(channel.id), "last_pin_timestamp": channel.last_pin_timestamp}
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
    intent = Intent.GUILDS if channel.guild_id is not None else Intent.DIRECT_MESSAGES
    req.emu.gateway.dispatch("CHANNEL_PINS_UPDATE", data, intent=intent)


def _require_pin(req: Req, channel: Channel) -> None:
    if channel.guild_id is None:
        return
    perms = req.state.require(channel, req.emu.bot_user.id)
    if not perms & (P.PIN_MESSAGES | P.MANAGE_MESSAGES):
        raise ApiError(403, 50013)


async def pin(req: Req) -> Reply:
    channel = readable_channel(req)
    _require_pin(req, channel)
    msg = req.state.message(channel.id, req.id("message_id"))
    pins = req.state.pins.setdefault(channel.id, [])
    if msg.pinned:
        return no_content()
    if len(pins) >= MAX_PINS:
        raise ApiError(400, 30003)
    now = req.emu.clock.iso()
    pins.insert(0, (msg.id, now))
    msg.pinned = True
    channel.last_pin_timestamp = now
    messaging.dispatch_message(req.emu, "MESSAGE_UPDATE", msg)
    messaging.new_message(
        req.emu,
        channel,
        req.emu.bot_user,
        {"content": ""},
        msg_type=6,
        message_reference={
            "type": 0,
            "channel_id": str(channel.id),
            "message_id": str(msg.id),
            **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
        },
    )
    _pins_update(req, channel)
    return no_content()


async def unpin(req: Req) -> Reply:
    channel = readable_channel(req)
    _require_pin(req, channel)
    msg = req.state.message(channel.id, req.id("message_id"))
    pins = req.state.pins.setdefault(channel.id, [])
    req.state.pins[channel.id] = [p for p in pins if p[0] != msg.id]
    if msg.pinned:
        msg.pinned = False
        messaging.dispatch_message(req.emu, "MESSAGE_UPDATE", msg)
        _pins_update(req, channel)
    return no_content()


async def list_pins_legacy(req: Req) -> Reply:
    channel = readable_channel(req)
    pins = req.state.pins.get(channel.id, [])
    return ok([messaging.rest_payload(req.emu, req.state.messages[mid]) for mid, _ in pins])


async def list_pins(req: Req) -> Reply:
    channel = readable_channel(req)
    pins = req.state.pins.get(channel.id, [])
    limit = int(req.query.get("limit", 50))
    items = [
        {"pinned_at": at, "message": messaging.rest_payload(req.emu, req.state.messages[mid])}
        for mid, at in pins
    ]
    return ok({"items": items[:limit], "has_more": len(items) > limit})


async def typing(req: Req) -> Reply:
    channel = readable_channel(req)
    if channel.guild_id is not None:
        req.state.require(channel, req.emu.bot_user.id, P.SEND_MESSAGES)
    return no_content()
