"""Interactions as a Discord user triggers them, and records of how the bot answered."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from .commands import EmulatorUsageError, OptionBuilder, check_can_use, find_command
from .models import Channel, ChannelType, Guild, Message, User
from .permissions import P
from .records import InteractionRecord

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = dict[str, Any]
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def _context(
    emu: DiscordEmulator, guild_id: int | None, channel_id: int | None, user: User
) -> tuple[Guild | None, Channel]:
    state = emu.state
    if guild_id is None:
        if channel_id is not None:
            return None, state.channel(channel_id)
        return None, emu.dm_channel_for(user)
    guild = state.guild(guild_id)
    if user.id not in guild.members:
        raise EmulatorUsageError(f"{user.username} is not a member of guild {guild.name!r}")
    if channel_id is None:
        texts = [c for c in guild.channels.values() if c.type == ChannelType.TEXT]
        if not texts:
            raise EmulatorUsageError("guild has no text channel; pass channel_id")
        return guild, texts[0]
    channel = state.channel(channel_id)
    if channel.guild_id != guild.id:
        raise EmulatorUsageError(f"channel {channel_id} is not in guild {guild_id}")
    return guild, channel


def envelope(
    emu: DiscordEmulator, itype: int, user: User, guild: Guild | None, channel: Channel, data: JSON
) -> JSON:
    state = emu.state
    payload: JSON = {
        "id": str(emu.ids.next()),
        "application_id": str(emu.application_id),
        "type": itype,
        "data": data,
        "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96),
        "version": 1,
        "locale": user.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "channel_id": str(channel.id),
        "channel": state.interaction_channel_payload(channel, user.id),
        "app_permissions": str(state.permissions(channel, emu.bot_user.id)),
    }
    if guild is not None:
        member = guild.members[user.id].to_dict()
        member["permissions"] = str(state.permissions(channel, user.id))
        payload.update(
            {
                "guild_id": str(guild.id),
                "guild": {
                    "id": str(guild.id),
                    "locale": guild.preferred_locale,
                    "features": guild.features,
                },
                "guild_locale": guild.preferred_locale,
                "member": member,
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {"user": user.to_dict(), "authorizing_integration_owners": {"0": "0"}, "context": 1}
        )
    return payload


def send(emu: DiscordEmulator, record: InteractionRecord) -> InteractionRecord:
    guild_id = record.payload.get("guild_id")
    if emu.gateway.session_of(None if guild_id is None else int(guild_id)) is None:
        raise EmulatorUsageError(
            "the bot has not identified on the gateway (on the shard of this guild); "
            "nothing would receive this"
        )
    emu.interactions[record.id] = record
    emu.interactions_by_token[record.token] = record
    # To the connection of the shard that serves the guild (DMs: shard 0), as on Discord.
    emu.gateway.dispatch("INTERACTION_CREATE", record.payload)
    return record


def command_interaction(
    emu: DiscordEmulator,
    user: User,
    guild_id: int | None,
    name: str,
    *,
    channel_id: int | None,
    values: dict[str, Any],
    focused: str | None = None,
) -> InteractionRecord:
    guild, channel = _context(emu, guild_id, channel_id, user)
    top, *path = name.split()
    cmd = find_command(emu, guild_id, top, 1)
    check_can_use(emu, cmd, guild, channel, user)
    builder = OptionBuilder(emu, guild, channel, user)
    options = builder.build(cmd, path, values, focused=focused)
    data: JSON = {"id": cmd["id"], "name": top, "type": 1}
    if options:
        data["options"] = options
    if builder.resolved:
        data["resolved"] = builder.resolved
    if "guild_id" in cmd:
        data["guild_id"] = cmd["guild_id"]
    itype = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
    payload = envelope(emu, itype, user, guild, channel, data)
    return send(emu, InteractionRecord(emu, payload, user, channel, command_name=name))


def context_menu_interaction(
    emu: DiscordEmulator, user: User, guild_id: int | None, name: str, target: Message | User
) -> InteractionRecord:
    if isinstance(target, Message):
        guild, channel = _context(emu, guild_id, target.channel_id, user)
        cmd = find_command(emu, guild_id, name, 3)
        resolved: JSON = {"messages": {str(target.id): emu.state.message_payload(target)}}
    else:
        guild, channel = _context(emu, guild_id, None, user)
        cmd = find_command(emu, guild_id, name, 2)
        resolved = {"users": {str(target.id): target.to_dict()}}
        member = None if guild is None else guild.members.get(target.id)
        if member is not None:
            data_member = member.to_dict(with_user=False)
            data_member["permissions"] = str(emu.state.permissions(channel, target.id))
            resolved["members"] = {str(target.id): data_member}
    check_can_use(emu, cmd, guild, channel, user)
    data: JSON = {
        "id": cmd["id"],
        "name": name,
        "type": cmd["type"],
        "target_id": str(target.id),
        "resolved": resolved,
    }
    if "guild_id" in cmd:
        data["guild_id"] = cmd["guild_id"]
    payload = envelope(emu, APPLICATION_COMMAND, user, guild, channel, data)
    return send(emu, InteractionRecord(emu, payload, user, channel, command_name=name))


def find_component(components: list[JSON], custom_id: str) -> JSON | None:
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        for nested in (comp.get("components") or []) + (
            [comp["accessory"]] if comp.get("accessory") else []
        ):
            found = find_component([nested], custom_id)
            if found is not None:
                return found
    return None


def component_interaction(
    emu: DiscordEmulator,
    user: User,
    message: Message | int,
    custom_id: str,
    values: list[Any] | None,
) -> InteractionRecord:
    msg = emu.state.messages.get(message if isinstance(message, int) else message.id)
    if msg is None or msg.deleted:
        raise EmulatorUsageError(f"message {message!r} does not exist (deleted?)")
    if msg.ephemeral and msg.interaction_metadata is not None:
        owner = int(msg.interaction_metadata["user"]["id"])
        if owner != user.id:
            raise EmulatorUsageError(f"only user {owner} can see this ephemeral message")
    comp = find_component(msg.components, custom_id)
    if comp is None:
        raise EmulatorUsageError(f"message {msg.id} has no component with custom_id {custom_id!r}")
    if comp.get("disabled"):
        raise EmulatorUsageError(f"component {custom_id!r} is disabled")
    guild, channel = _context(emu, msg.guild_id, msg.channel_id, user)
    if guild is not None and not emu.state.permissions(channel, user.id) & P.VIEW_CHANNEL:
        raise EmulatorUsageError(f"{user.username} cannot see channel {channel.name!r}")
    if channel.type == ChannelType.DM and user.id not in [r.id for r in channel.recipients]:
        raise EmulatorUsageError(f"{user.username} cannot see another person's DM")
    data: JSON = {"custom_id": custom_id, "component_type": comp["type"], "id": comp.get("id")}
    if comp["type"] == 2:
        if values is not None:
            raise EmulatorUsageError("buttons take no values")
    else:
        data["values"] = _select_values(emu, comp, values or [], guild, channel, user, data)
    payload = envelope(emu, MESSAGE_COMPONENT, user, guild, channel, data)
    payload["message"] = emu.state.message_payload(msg)
    record = InteractionRecord(emu, payload, user, channel, source_message_id=msg.id)
    return send(emu, record)


def _select_values(
    emu: DiscordEmulator,
    comp: JSON,
    values: list[Any],
    guild: Guild | None,
    channel: Channel,
    user: User,
    data: JSON,
) -> list[str]:
    low, high = comp.get("min_values", 1), comp.get("max_values", 1)
    if not low <= len(values) <= high:
        raise EmulatorUsageError(
            f"select {comp['custom_id']!r} takes {low}..{high} values, got {values}"
        )
    if comp["type"] == 3:
        allowed = [o["value"] for o in comp.get("options") or []]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise EmulatorUsageError(
                f"select {comp['custom_id']!r} has no option(s) {bad}; has {allowed}"
            )
        return [str(v) for v in values]
    kinds = {5: 6, 6: 8, 7: 9, 8: 7}  # select type -> option type it resolves like
    builder = OptionBuilder(emu, guild, channel, user)
    opt = {
        "type": kinds[comp["type"]],
        "name": comp["custom_id"],
        "channel_types": comp.get("channel_types"),
    }
    out = [builder.convert(opt, v) for v in values]
    if builder.resolved:
        data["resolved"] = builder.resolved
    return out


def modal_submit(
    emu: DiscordEmulator,
    user: User,
    previous: InteractionRecord,
    custom_id: str,
    values: dict[str, Any],
) -> InteractionRecord:
    modal = previous.modal
    if modal is None:
        raise EmulatorUsageError(f"{previous!r} was not answered with a modal (type 9)")
    if modal["custom_id"] != custom_id:
        raise EmulatorUsageError(
            f"the modal's custom_id is {modal['custom_id']!r}, not {custom_id!r}"
        )
    if user.id != previous.user.id:
        raise EmulatorUsageError("only the user who opened the modal can submit it")
    inputs: dict[str, JSON] = {}
    components = [_submitted(row, values, inputs) for row in modal.get("components") or []]
    unknown = [k for k in values if k not in inputs]
    if unknown:
        raise EmulatorUsageError(
            f"modal {custom_id!r} has no field(s) {unknown}; has {list(inputs)}"
        )
    for cid, comp in inputs.items():
        value = comp.get("_value", "")
        if comp["type"] == 4:
            if comp.get("required", True) and not value:
                raise EmulatorUsageError(f"modal field {cid!r} is required")
            if value and not comp.get("min_length", 0) <= len(value) <= comp.get(
                "max_length", 4000
            ):
                raise EmulatorUsageError(f"modal field {cid!r}: length outside min/max")
    for comp in inputs.values():
        comp.pop("_value", None)
    guild = (
        None if previous.channel.guild_id is None else emu.state.guilds[previous.channel.guild_id]
    )
    data: JSON = {"custom_id": custom_id, "components": components}
    payload = envelope(emu, MODAL_SUBMIT, user, guild, previous.channel, data)
    source = previous.source_message_id
    if source is not None and source in emu.state.messages:
        payload["message"] = emu.state.message_payload(emu.state.messages[source])
    record = InteractionRecord(
        emu,
        payload,
        user,
        previous.channel,
        source_message_id=source,
        parent=previous,
        command_name=previous.command_name,
    )
    return send(emu, record)


def _submitted(comp: JSON, values: dict[str, Any], inputs: dict[str, JSON]) -> JSON:
    ctype = comp.get("type")
    if ctype == 1:
        return {
            "type": 1,
            "id": comp.get("id"),
            "components": [_submitted(c, values, inputs) for c in comp.get("components") or []],
        }
    if ctype == 18:
        return {
            "type": 18,
            "id": comp.get("id"),
            "component": _submitted(comp["component"], values, inputs),
        }
    if ctype == 4:
        cid = comp["custom_id"]
        value = values.get(cid, comp.get("value") or "")
        if not isinstance(value, str):
            raise EmulatorUsageError(f"modal field {cid!r} takes text, got {value!r}")
        inputs[cid] = {**comp, "_value": value}
        return {"type": 4, "id": comp.get("id"), "custom_id": cid, "value": value}
    if ctype == 3:
        cid = comp["custom_id"]
        options = comp.get("options") or []
        # Untouched, a select submits the options it shows selected: its defaults.
        defaults = [o["value"] for o in options if o.get("default")]
        chosen = values.get(cid, defaults)
        allowed = [o["value"] for o in options]
        if any(v not in allowed for v in chosen):
            raise EmulatorUsageError(f"modal select {cid!r} has options {allowed}, got {chosen}")
        low = comp.get("min_values", 1) if comp.get("required", True) else 0
        if not low <= len(chosen) <= comp.get("max_values", 1):
            raise EmulatorUsageError(f"modal select {cid!r} takes {low}.. values, got {chosen}")
        inputs[cid] = {**comp}
        return {"type": 3, "id": comp.get("id"), "custom_id": cid, "values": list(chosen)}
    return {"type": ctype, "id": comp.get("id")}
