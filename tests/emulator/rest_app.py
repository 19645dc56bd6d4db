"""REST: current user, gateway discovery, application info, command sync, DM channels."""

from __future__ import annotations

import copy
import re
from typing import Any

from .errors import ApiError, FormErrors
from .limits import check_count, check_length
from .models import Channel, ChannelType
from .server import Reply, Req, ok

JSON = dict[str, Any]
CHAT_INPUT_NAME = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)
MAX_PER_TYPE = {1: 100, 2: 15, 3: 15}


async def get_me(req: Req) -> Reply:
    return ok(req.emu.bot_user_payload())


async def get_user(req: Req) -> Reply:
    return ok(req.state.user(req.id("user_id")).to_dict())


async def get_gateway_bot(req: Req) -> Reply:
    return ok(
        {
            "url": req.emu.gateway_url,
            "shards": req.emu.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }
    )


async def get_gateway(req: Req) -> Reply:
    return ok({"url": req.emu.gateway_url})


async def get_application(req: Req) -> Reply:
    return ok(req.emu.application_payload())


def _check_app(req: Req) -> None:
    if req.id("application_id") != req.emu.application_id:
        raise ApiError(403, 50001)


def _bot_in_guild(req: Req) -> int:
    guild_id = req.id("guild_id")
    guild = req.state.guilds.get(guild_id)
    if guild is None or req.emu.bot_user.id not in guild.members:
        raise ApiError(403, 50001)
    return guild_id


async def get_global_commands(req: Req) -> Reply:
    _check_app(req)
    return ok(copy.deepcopy(req.state.global_commands))


async def put_global_commands(req: Req) -> Reply:
    _check_app(req)
    commands = _overwrite(req, req.state.global_commands, None)
    req.state.global_commands = commands
    req.emu.sync_counts[None] = req.emu.sync_counts.get(None, 0) + 1
    return ok(copy.deepcopy(commands))


async def get_guild_commands(req: Req) -> Reply:
    _check_app(req)
    guild_id = _bot_in_guild(req)
    return ok(copy.deepcopy(req.state.guild_commands.get(guild_id, [])))


async def put_guild_commands(req: Req) -> Reply:
    _check_app(req)
    guild_id = _bot_in_guild(req)
    existing = req.state.guild_commands.get(guild_id, [])
    commands = _overwrite(req, existing, guild_id)
    req.state.guild_commands[guild_id] = commands
    req.emu.sync_counts[guild_id] = req.emu.sync_counts.get(guild_id, 0) + 1
    return ok(copy.deepcopy(commands))


def _overwrite(req: Req, existing: list[JSON], guild_id: int | None) -> list[JSON]:
    body = req.body
    if not isinstance(body, list):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                "_errors": [
                    {
                        "code": "LIST_TYPE_CONVERT",
                        "message": "Only iterables may be used in a ListType.",
                    }
                ]
            },
        )
    fe = FormErrors()
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for i, cmd in enumerate(body):
        ctype = int(cmd.get("type") or 1)
        _validate_command(cmd, ctype, fe, (str(i),))
        key = (ctype, str(cmd.get("name")))
        if key in seen:
            fe.add(
                (str(i), "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[1]}",
            )
        seen.add(key)
        per_type[ctype] = per_type.get(ctype, 0) + 1
    for ctype, count in per_type.items():
        if count > MAX_PER_TYPE.get(ctype, 1):
            fe.max_length((), MAX_PER_TYPE.get(ctype, 1))
    fe.raise_if_any()
    by_key = {(c["type"], c["name"]): c for c in existing}
    result = []
    for cmd in body:
        ctype = int(cmd.get("type") or 1)
        old = by_key.get((ctype, cmd["name"]))
        command_id = int(old["id"]) if old else req.emu.ids.next()
        result.append(_stored(req, cmd, ctype, command_id, guild_id))
    return result


def _stored(req: Req, cmd: JSON, ctype: int, command_id: int, guild_id: int | None) -> JSON:
    perms = cmd.get("default_member_permissions")
    data: JSON = {
        "id": str(command_id),
        "application_id": str(req.emu.application_id),
        "version": str(req.emu.ids.next()),
        "default_member_permissions": None if perms is None else str(perms),
        "type": ctype,
        "name": cmd["name"],
        "name_localizations": cmd.get("name_localizations") or None,
        "description": cmd.get("description") or "",
        "description_localizations": cmd.get("description_localizations") or None,
        "nsfw": bool(cmd.get("nsfw", False)),
        "integration_types": cmd.get("integration_types") or [0],
        "contexts": cmd.get("contexts"),
    }
    if guild_id is None:
        data["dm_permission"] = cmd.get("dm_permission", True) is not False
    else:
        data["guild_id"] = str(guild_id)
    options = [_clean_option(o) for o in cmd.get("options") or []]
    if options:
        data["options"] = options
    return data


def _clean_option(option: JSON) -> JSON:
    data = {k: v for k, v in option.items() if v is not None and v != {} and v != []}
    if not data.get("required"):
        data.pop("required", None)
    if not data.get("autocomplete"):
        data.pop("autocomplete", None)
    if "options" in data:
        data["options"] = [_clean_option(o) for o in data["options"]]
    return data


def _validate_command(cmd: JSON, ctype: int, fe: FormErrors, path: tuple[str, ...]) -> None:
    name = cmd.get("name")
    if ctype == 1:
        if not isinstance(name, str) or not CHAT_INPUT_NAME.fullmatch(name) or name != name.lower():
            fe.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        check_length(fe, (*path, "description"), cmd.get("description"), 100, low=1, required=True)
        _validate_options(cmd.get("options"), fe, (*path, "options"), depth=0)
    elif ctype in (2, 3):
        check_length(fe, (*path, "name"), name, 32, low=1, required=True)
        if cmd.get("description"):
            fe.add(
                (*path, "description"),
                "APPLICATION_COMMAND_DESCRIPTION_NOT_ALLOWED",
                "Context menu commands cannot have a description",
            )
        if cmd.get("options"):
            fe.add(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED",
                "Context menu commands cannot have options",
            )
    else:
        fe.add((*path, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")


def _validate_options(
    options: Any, fe: FormErrors, path: tuple[str | int, ...], depth: int
) -> None:
    items = check_count(fe, path, options, 25)
    seen_optional = False
    names: set[str] = set()
    for i, opt in enumerate(items):
        at = (*path, i)
        otype = opt.get("type")
        name = opt.get("name")
        if not isinstance(name, str) or not CHAT_INPUT_NAME.fullmatch(name) or name != name.lower():
            fe.add((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if name in names:
            fe.add(
                (*at, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(str(name))
        check_length(fe, (*at, "description"), opt.get("description"), 100, low=1, required=True)
        if otype in (1, 2):
            if depth >= (1 if otype == 2 else 2):
                fe.add(
                    (*at, "type"),
                    "APPLICATION_COMMAND_SUBCOMMAND_TOO_DEEP",
                    "Sub-command nesting is too deep",
                )
            _validate_options(opt.get("options"), fe, (*at, "options"), depth + 1)
            if otype == 2 and any(o.get("type") != 1 for o in opt.get("options") or []):
                fe.add(
                    (*at, "options"),
                    "APPLICATION_COMMAND_INVALID_OPTION_TYPE",
                    "Sub-command groups may only contain sub-commands",
                )
            continue
        if opt.get("required"):
            if seen_optional:
                fe.add(
                    (*at, "required"),
                    "APPLICATION_COMMAND_OPTION_REQUIRED_BEFORE_OPTIONAL",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = check_count(fe, (*at, "choices"), opt.get("choices"), 25)
        if choices and opt.get("autocomplete"):
            fe.add(
                (*at, "autocomplete"),
                "APPLICATION_COMMAND_AUTOCOMPLETE_AND_CHOICES",
                "Autocomplete and choices cannot be used together",
            )
        for j, choice in enumerate(choices):
            check_length(
                fe, (*at, "choices", j, "name"), choice.get("name"), 100, low=1, required=True
            )
            if isinstance(choice.get("value"), str):
                check_length(fe, (*at, "choices", j, "value"), choice["value"], 100)


async def create_dm(req: Req) -> Reply:
    body = req.json()
    recipient = req.state.user(int(body.get("recipient_id", 0)))
    state = req.state
    channel_id = state.dm_channels.get(recipient.id)
    if channel_id is None:
        channel = Channel(id=req.emu.ids.next(), type=ChannelType.DM, recipients=[recipient])
        state.channels[channel.id] = channel
        state.dm_channels[recipient.id] = channel.id
    else:
        channel = state.channels[channel_id]
    return ok(channel.to_dict())
