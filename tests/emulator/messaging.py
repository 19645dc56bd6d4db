"""Creating, editing and deleting messages, and the gateway events that follow."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ApiError, FormErrors
from .gateway import Intent
from .limits import FLAG_SUPPRESS_EMBEDS, is_empty_message, validate_message_body
from .models import Channel, ChannelType, Message, User
from .permissions import P

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .server import Upload

JSON = dict[str, Any]

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


def validate_create(body: JSON, files: list[Upload], *, extra_flags: int = 0) -> int:
    fe = FormErrors()
    flags = validate_message_body(body, fe, extra_flags=extra_flags)
    fe.raise_if_any()
    if is_empty_message(body, len(files)):
        raise ApiError(400, 50006)
    return flags


def assign_component_ids(components: list[JSON]) -> list[JSON]:
    """Discord numbers every component (depth first, from 1) when the sender gave none."""
    result = copy.deepcopy(components)
    used: set[int] = set()
    todo: list[JSON] = []

    def walk(items: list[JSON]) -> None:
        for comp in items:
            todo.append(comp)
            if isinstance(comp.get("id"), int):
                used.add(comp["id"])
            walk(comp.get("components") or [])
            if isinstance(comp.get("accessory"), dict):
                walk([comp["accessory"]])

    walk(result)
    counter = 1
    for comp in todo:
        if not isinstance(comp.get("id"), int):
            while counter in used:
                counter += 1
            comp["id"] = counter
            used.add(counter)
    return result


def build_attachments(
    emu: DiscordEmulator, channel_id: int, body: JSON, files: list[Upload]
) -> list[JSON]:
    declared = {str(a.get("id")): a for a in body.get("attachments") or []}
    result: list[JSON] = []
    for index, upload in enumerate(files):
        meta = declared.get(str(index), {})
        att_id = emu.ids.next()
        url = f"https://cdn.discordapp.com/attachments/{channel_id}/{att_id}/{upload.filename}"
        emu.state.cdn[url] = upload.data
        att: JSON = {
            "id": str(att_id),
            "filename": meta.get("filename", upload.filename),
            "size": len(upload.data),
            "url": url,
            "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
            "content_type": upload.content_type,
        }
        if meta.get("description"):
            att["description"] = meta["description"]
        result.append(att)
    return result


def compute_mentions(
    emu: DiscordEmulator,
    channel: Channel,
    author_id: int,
    content: str,
    allowed: JSON | None,
    author_is_app: bool,
) -> tuple[list[int], list[int], bool]:
    """Who a message mentions: the users, roles and @everyone/@here in ``content`` that
    ``allowed_mentions`` lets through (an app's message; a user's parses everything), then
    what Discord lets the author ping in ``channel``: a role only when it is mentionable or
    the author has Mention Everyone there, @everyone/@here only with Mention Everyone (in
    the message, the text stays; it just pings nobody). No 400 either way, as on Discord."""
    users = [int(u) for u in USER_MENTION.findall(content)]
    roles = [int(r) for r in ROLE_MENTION.findall(content)]
    everyone = "@everyone" in content or "@here" in content
    if allowed is not None and author_is_app:
        parse = allowed.get("parse") or []
        allowed_users = {int(u) for u in allowed.get("users") or []}
        allowed_roles = {int(r) for r in allowed.get("roles") or []}
        users = [u for u in users if "users" in parse or u in allowed_users]
        roles = [r for r in roles if "roles" in parse or r in allowed_roles]
        everyone = everyone and "everyone" in parse
    known_users = [u for u in dict.fromkeys(users) if u in emu.state.users]
    guild = emu.state.guild_of(channel)
    if guild is None:  # a DM: no roles, no @everyone
        return known_users, [], False
    may_mention_everyone = bool(emu.state.permissions(channel, author_id) & P.MENTION_EVERYONE)
    pingable = [
        r
        for r in dict.fromkeys(roles)
        if r in guild.roles and (guild.roles[r].mentionable or may_mention_everyone)
    ]
    return known_users, pingable, everyone and may_mention_everyone


def notified_users(emu: DiscordEmulator, channel: Channel, msg: Message) -> list[int]:
    """Whom a new message notifies: the users it mentions, the members of the roles it
    mentions, everyone for @everyone/@here (the emulator has no presence: @here reaches
    all), never the author, only people who can see the channel (in a private thread, a
    role or @everyone reaches only its members). An ephemeral message notifies nobody."""
    if msg.ephemeral:
        return []
    author = msg.author.id
    guild = emu.state.guild_of(channel)
    if guild is None:
        present = {u.id for u in channel.recipients} | {emu.bot_user.id}
        return [u for u in msg.mention_ids if u in present and u != author]
    roles = set(msg.mention_role_ids)
    private = channel.type == ChannelType.PRIVATE_THREAD
    wide = [
        m.user.id
        for m in guild.members.values()
        if (msg.mention_everyone or roles & set(m.roles))
        and (not private or m.user.id in channel.thread_members)
    ]
    notified = []
    for user_id in dict.fromkeys([*msg.mention_ids, *wide]):
        if user_id == author or user_id not in guild.members:
            continue
        if emu.state.permissions(channel, user_id) & P.VIEW_CHANNEL:
            notified.append(user_id)
    return notified


def _content_visible(bot_id: int, data: JSON) -> bool:
    """Discord keeps content for the app's own messages, DMs and messages mentioning the app."""
    author = (data.get("author") or {}).get("id")
    mentioned = any(m.get("id") == str(bot_id) for m in data.get("mentions") or [])
    return author == str(bot_id) or mentioned


def _strip(data: JSON) -> JSON:
    data = dict(data)
    data.update({"content": "", "embeds": [], "attachments": [], "components": []})
    data.pop("poll", None)
    return data


def content_redactor(emu: DiscordEmulator, msg: Message) -> Callable[[JSON], JSON] | None:
    """Without MESSAGE_CONTENT, guild messages by others that don't mention the bot arrive empty."""
    if msg.guild_id is None:
        return None
    bot_id = emu.bot_user.id

    def redact(data: JSON) -> JSON:
        if not _content_visible(bot_id, data):
            data = _strip(data)
        ref = data.get("referenced_message")
        if isinstance(ref, dict) and not _content_visible(bot_id, ref):
            data = {**data, "referenced_message": _strip(ref)}
        return data

    return redact


def rest_payload(emu: DiscordEmulator, msg: Message) -> JSON:
    """A message read over REST; without the app's MESSAGE_CONTENT intent, content is withheld."""
    payload = emu.state.message_payload(msg)
    redact = content_redactor(emu, msg)
    if redact is not None and not emu.privileged_intents & Intent.MESSAGE_CONTENT:
        payload = redact(payload)
    return payload


def dispatch_message(emu: DiscordEmulator, event: str, msg: Message) -> None:
    if msg.ephemeral:
        return  # ephemeral messages never reach the bot over the gateway
    intent = Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES
    payload = emu.state.message_payload(msg, gateway=True, with_nonce=event == "MESSAGE_CREATE")
    emu.gateway.dispatch(event, payload, intent=intent, redact=content_redactor(emu, msg))


def store_message(
    emu: DiscordEmulator, channel: Channel, msg: Message, *, dispatch: bool = True
) -> Message:
    state = emu.state
    state.messages[msg.id] = msg
    state.channel_messages.setdefault(channel.id, []).append(msg.id)
    if not msg.ephemeral:
        channel.last_message_id = msg.id
        if channel.is_thread:
            msg.position = channel.total_message_sent
            channel.message_count += 1
            channel.total_message_sent += 1
    if dispatch:
        dispatch_message(emu, "MESSAGE_CREATE", msg)
    return msg


def new_message(
    emu: DiscordEmulator,
    channel: Channel,
    author: User,
    body: JSON,
    *,
    files: list[Upload] | None = None,
    flags: int = 0,
    msg_type: int = 0,
    dispatch: bool = True,
    **extra: Any,
) -> Message:
    files = files or []
    content = body.get("content") or ""
    is_app = author.id == emu.bot_user.id or extra.get("webhook_id") is not None
    mentions, roles, everyone = compute_mentions(
        emu, channel, author.id, content, body.get("allowed_mentions"), is_app
    )
    now = emu.clock.time()
    msg = Message(
        id=extra.pop("message_id", None) or emu.ids.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author=author,
        content=content,
        embeds=[_normalize_embed(e) for e in body.get("embeds") or []],
        components=assign_component_ids(body.get("components") or []),
        attachments=build_attachments(emu, channel.id, body, files),
        flags=flags,
        type=msg_type,
        timestamp=emu.clock.iso(now),
        created_at=now,
        nonce=body.get("nonce"),
        tts=bool(body.get("tts")),
        mention_ids=mentions,
        mention_role_ids=roles,
        mention_everyone=everyone,
        poll=body.get("poll"),
        **extra,
    )
    msg.notified_ids = notified_users(emu, channel, msg)
    return store_message(emu, channel, msg, dispatch=dispatch)


def _normalize_embed(embed: JSON) -> JSON:
    data = {k: v for k, v in embed.items() if v is not None}
    data.setdefault("type", "rich")
    data.setdefault("content_scan_version", 0)
    return data


def apply_edit(
    emu: DiscordEmulator, msg: Message, body: JSON, files: list[Upload] | None = None
) -> Message:
    """PATCH semantics shared by channel and webhook edits; validates, applies, dispatches.

    New content gets its mentions worked out again, by the same rules as on create (so
    an @everyone the author may not use is still refused), but an edit notifies nobody:
    ``notified_ids`` keeps what the message's creation notified."""
    fe = FormErrors()
    validate_message_body(body, fe)
    fe.raise_if_any()
    if "content" in body:
        msg.content = body["content"] or ""
        is_app = msg.author.id == emu.bot_user.id or msg.webhook_id is not None
        msg.mention_ids, msg.mention_role_ids, msg.mention_everyone = compute_mentions(
            emu,
            emu.state.channel(msg.channel_id),
            msg.author.id,
            msg.content,
            body.get("allowed_mentions"),
            is_app,
        )
    if "embeds" in body:
        msg.embeds = [_normalize_embed(e) for e in body["embeds"] or []]
    if "components" in body:
        msg.components = assign_component_ids(body["components"] or [])
    if "flags" in body and body["flags"] is not None:
        keep = msg.flags & ~FLAG_SUPPRESS_EMBEDS
        msg.flags = keep | (int(body["flags"]) & FLAG_SUPPRESS_EMBEDS)
    if "attachments" in body or files:
        kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
        kept = [a for a in msg.attachments if a["id"] in kept_ids]
        msg.attachments = kept + build_attachments(emu, msg.channel_id, body, files or [])
    if "poll" in body:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                "poll": {
                    "_errors": [{"code": "CANNOT_EDIT_POLL", "message": "Polls cannot be edited"}]
                }
            },
        )
    msg.flags &= ~(1 << 7)  # an edit ends the "thinking" state of a deferred response
    msg.edited_timestamp = emu.clock.iso()
    empty = not (msg.content or msg.embeds or msg.components or msg.attachments)
    if empty and not msg.flags & (1 << 15):
        raise ApiError(400, 50006)
    dispatch_message(emu, "MESSAGE_UPDATE", msg)
    return msg


def delete(emu: DiscordEmulator, msg: Message) -> None:
    msg.deleted = True
    channel = emu.state.channels.get(msg.channel_id)
    if channel is not None and channel.is_thread:
        channel.message_count = max(0, channel.message_count - 1)
    if msg.ephemeral:
        return
    data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
    intent = Intent.DIRECT_MESSAGES
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
        intent = Intent.GUILD_MESSAGES
    emu.gateway.dispatch("MESSAGE_DELETE", data, intent=intent)


def unarchive_for_send(
    emu: DiscordEmulator, channel: Channel, perms: int, manage_threads: int
) -> None:
    """Sending into an archived thread unarchives it, unless it is locked."""
    if not channel.is_thread or not channel.archived:
        if channel.is_thread and channel.locked and not perms & manage_threads:
            raise ApiError(403, 160005)
        return
    if channel.locked and not perms & manage_threads:
        raise ApiError(400, 50083)
    channel.archived = False
    channel.archive_timestamp = emu.clock.iso()
    emu.gateway.dispatch("THREAD_UPDATE", emu.state.channel_payload(channel), intent=Intent.GUILDS)


def is_text_target(channel: Channel) -> bool:
    return channel.type in ChannelType.MESSAGEABLE
