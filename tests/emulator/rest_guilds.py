"""REST: guild reads (guild, roles, members, channels) and guild scheduled events."""

from __future__ import annotations

from typing import Any

from .errors import ApiError, FormErrors
from .gateway import Intent
from .ids import parse_iso
from .limits import check_length
from .models import ChannelType, Guild, ScheduledEvent
from .permissions import P
from .server import Reply, Req, no_content, ok

JSON = dict[str, Any]
EXTERNAL, STAGE, VOICE = 3, 1, 2
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
TRANSITIONS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


def member_guild(req: Req) -> Guild:
    guild = req.state.guilds.get(req.id("guild_id"))
    if guild is None or req.emu.bot_user.id not in guild.members:
        raise ApiError(404 if guild is None else 403, 10004 if guild is None else 50001)
    return guild


async def get_guild(req: Req) -> Reply:
    guild = member_guild(req)
    data = guild.base_dict()
    if req.flag("with_counts"):
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return ok(data)


async def get_roles(req: Req) -> Reply:
    guild = member_guild(req)
    return ok([r.to_dict() for r in sorted(guild.roles.values(), key=lambda r: r.position)])


async def get_role(req: Req) -> Reply:
    role = member_guild(req).roles.get(req.id("role_id"))
    if role is None:
        raise ApiError(404, 10011)
    return ok(role.to_dict())


async def get_channels(req: Req) -> Reply:
    guild = member_guild(req)
    return ok([c.to_dict() for c in guild.channels.values() if not c.is_thread])


async def list_members(req: Req) -> Reply:
    guild = member_guild(req)
    if not req.emu.privileged_intents & Intent.GUILD_MEMBERS:
        raise ApiError(403, 50001)
    limit = int(req.query.get("limit", 1))
    after = int(req.query.get("after", 0))
    members = sorted(
        (m for uid, m in guild.members.items() if uid > after), key=lambda m: m.user.id
    )
    return ok([m.to_dict() for m in members[:limit]])


async def get_member(req: Req) -> Reply:
    member = member_guild(req).members.get(req.id("user_id"))
    if member is None:
        raise ApiError(404, 10007)
    return ok(member.to_dict())


# -- scheduled events ----------------------------------------------------------------------------


def _event(req: Req, guild: Guild) -> ScheduledEvent:
    event = guild.events.get(req.id("event_id"))
    if event is None:
        raise ApiError(404, 10070)
    return event


def _require_event_perms(req: Req, guild: Guild, channel_id: int | None, *, own: bool) -> None:
    bot_id = req.emu.bot_user.id
    if channel_id is not None:
        perms = req.state.require(req.state.channel(channel_id), bot_id)
    else:
        perms = req.state.guild_permissions(guild, bot_id)
    if perms & P.MANAGE_EVENTS or (own and perms & P.CREATE_EVENTS):
        return
    raise ApiError(403, 50013)


def _validate_event(
    req: Req, guild: Guild, merged: JSON, fe: FormErrors, *, creating: bool
) -> None:
    check_length(fe, ("name",), merged.get("name"), 100, low=1, required=True)
    check_length(fe, ("description",), merged.get("description"), 1000)
    entity_type = merged.get("entity_type")
    if entity_type not in (STAGE, VOICE, EXTERNAL):
        fe.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
        return
    if merged.get("privacy_level", 2) != 2:
        fe.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    start_raw = merged.get("scheduled_start_time")
    start = end = None
    try:
        start = parse_iso(start_raw) if start_raw else None
        end = parse_iso(merged["scheduled_end_time"]) if merged.get("scheduled_end_time") else None
    except ValueError:
        fe.add(("scheduled_start_time",), "DATE_TYPE_PARSE", "Could not parse date.")
        return
    if start is None:
        fe.required(("scheduled_start_time",))
    elif creating and start <= req.emu.clock.now():
        fe.add(
            ("scheduled_start_time",),
            "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
            "Cannot schedule event in the past.",
        )
    if start is not None and end is not None and end <= start:
        fe.add(
            ("scheduled_end_time",),
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        )
    if entity_type == EXTERNAL:
        if merged.get("channel_id") is not None:
            fe.add(
                ("channel_id",),
                "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED",
                "Must be null for external events",
            )
        location = (merged.get("entity_metadata") or {}).get("location")
        check_length(fe, ("entity_metadata", "location"), location, 100, low=1, required=True)
        if end is None:
            fe.required(("scheduled_end_time",))
        return
    channel = req.state.channels.get(int(merged.get("channel_id") or 0))
    wanted = ChannelType.STAGE if entity_type == STAGE else ChannelType.VOICE
    if channel is None or channel.guild_id != guild.id or channel.type != wanted:
        fe.add(
            ("channel_id",),
            "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL",
            "Invalid channel for this entity type",
        )


async def list_events(req: Req) -> Reply:
    guild = member_guild(req)
    return ok([req.state.event_payload(e) for e in guild.events.values()])


async def get_event(req: Req) -> Reply:
    guild = member_guild(req)
    return ok(req.state.event_payload(_event(req, guild)))


async def create_event(req: Req) -> Reply:
    guild = member_guild(req)
    body = req.json()
    channel_id = None if body.get("channel_id") is None else int(body["channel_id"])
    _require_event_perms(req, guild, channel_id, own=True)
    fe = FormErrors()
    _validate_event(req, guild, body, fe, creating=True)
    fe.raise_if_any()
    event = ScheduledEvent(
        id=req.emu.ids.next(),
        guild_id=guild.id,
        name=body["name"],
        scheduled_start_time=body["scheduled_start_time"],
        scheduled_end_time=body.get("scheduled_end_time"),
        entity_type=body["entity_type"],
        creator_id=req.emu.bot_user.id,
        channel_id=channel_id,
        description=body.get("description"),
        entity_metadata=body.get("entity_metadata") if body["entity_type"] == EXTERNAL else None,
        image=None,
        recurrence_rule=body.get("recurrence_rule"),
    )
    guild.events[event.id] = event
    payload = req.state.event_payload(event)
    req.emu.gateway.dispatch(
        "GUILD_SCHEDULED_EVENT_CREATE", payload, intent=Intent.GUILD_SCHEDULED_EVENTS
    )
    return ok(payload)


async def edit_event(req: Req) -> Reply:
    guild = member_guild(req)
    event = _event(req, guild)
    body = req.json()
    _require_event_perms(req, guild, event.channel_id, own=event.creator_id == req.emu.bot_user.id)
    if event.status in (COMPLETED, CANCELED):
        raise ApiError(400, 180000)
    current = req.state.event_payload(event)
    merged = {**current, **body}
    if body.get("entity_type") == EXTERNAL and "channel_id" not in body:
        merged["channel_id"] = None
    fe = FormErrors()
    _validate_event(req, guild, merged, fe, creating="scheduled_start_time" in body)
    if "status" in body and body["status"] not in TRANSITIONS.get(event.status, set()):
        fe.add(
            ("status",),
            "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
            "Invalid status transition",
        )
    fe.raise_if_any()
    for key in (
        "name",
        "description",
        "scheduled_start_time",
        "scheduled_end_time",
        "entity_type",
        "entity_metadata",
        "privacy_level",
        "status",
        "recurrence_rule",
    ):
        if key in body:
            setattr(event, key, body[key])
    if "channel_id" in merged:
        event.channel_id = None if merged["channel_id"] is None else int(merged["channel_id"])
    if event.entity_type != EXTERNAL:
        event.entity_metadata = None
    payload = req.state.event_payload(event)
    req.emu.gateway.dispatch(
        "GUILD_SCHEDULED_EVENT_UPDATE", payload, intent=Intent.GUILD_SCHEDULED_EVENTS
    )
    return ok(payload)


async def delete_event(req: Req) -> Reply:
    guild = member_guild(req)
    event = _event(req, guild)
    _require_event_perms(req, guild, event.channel_id, own=event.creator_id == req.emu.bot_user.id)
    del guild.events[event.id]
    payload = req.state.event_payload(event)
    req.emu.gateway.dispatch(
        "GUILD_SCHEDULED_EVENT_DELETE", payload, intent=Intent.GUILD_SCHEDULED_EVENTS
    )
    return no_content()
