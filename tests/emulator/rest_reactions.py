"""REST: the bot's own reactions (``PUT …/reactions/{emoji}/@me``), as Discord answers.

Discord needs Read Message History to react, and Add Reactions as well when nobody has
reacted with that emoji yet; a message holds at most 20 distinct reactions; a message in
an archived thread takes none; an emoji is a unicode emoji or ``name:id`` of a custom
one (the emulator knows no custom emojis: those are unknown). Reacting twice is a no-op.
"""

from __future__ import annotations

import re

from .errors import ApiError
from .gateway import Intent
from .permissions import P
from .rest_channels import readable_channel
from .server import Reply, Req, no_content

MAX_DISTINCT = 20
UNKNOWN_EMOJI = 10014
MAX_REACTIONS = 30010
THREAD_ARCHIVED = 50083
_CUSTOM = re.compile(r"[\w~]{2,32}:\d+")


def is_unicode_emoji(text: str) -> bool:
    """Close enough to Discord's check: short, and no plain ASCII word."""
    return 0 < len(text) <= 16 and all(not ch.isascii() or ch in "#*0123456789" for ch in text)


async def add_own_reaction(req: Req) -> Reply:
    channel = readable_channel(req)
    msg = req.state.message(channel.id, req.id("message_id"))
    emoji = req.params["emoji"]
    if _CUSTOM.fullmatch(emoji) or not is_unicode_emoji(emoji):
        raise ApiError(400, UNKNOWN_EMOJI, "Unknown Emoji")
    bot_id = req.emu.bot_user.id
    perms = req.state.require(channel, bot_id, P.READ_MESSAGE_HISTORY)
    users = msg.reactions.get(emoji, [])
    if not users and not perms & P.ADD_REACTIONS:
        raise ApiError(403, 50013)
    if channel.is_thread and channel.archived:
        raise ApiError(400, THREAD_ARCHIVED)
    if bot_id in users:
        return no_content()
    if not users and len(msg.reactions) >= MAX_DISTINCT:
        raise ApiError(400, MAX_REACTIONS)
    msg.reactions[emoji] = [*users, bot_id]
    data = {
        "user_id": str(bot_id),
        "channel_id": str(channel.id),
        "message_id": str(msg.id),
        "message_author_id": str(msg.author.id),
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
        member = req.state.member_payload(channel.guild_id, bot_id)
        if member is not None:
            data["member"] = member
    guild = channel.guild_id is not None
    intent = Intent.GUILD_MESSAGE_REACTIONS if guild else Intent.DIRECT_MESSAGE_REACTIONS
    req.emu.gateway.dispatch("MESSAGE_REACTION_ADD", data, intent=intent)
    return no_content()
