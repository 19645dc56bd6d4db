"""Resolve a command invocation against the synced commands, as the Discord client does.

Anything the Discord client would not let a user send (unknown command or option, wrong
type, missing required option, a value outside choices/min/max) raises ``EmulatorUsageError``
in the test instead of reaching the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Channel, Guild, Member, Role, User
from .permissions import P

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = dict[str, Any]
(
    SUB_COMMAND,
    GROUP,
    STRING,
    INTEGER,
    BOOLEAN,
    USER,
    CHANNEL,
    ROLE,
    MENTIONABLE,
    NUMBER,
    ATTACHMENT,
) = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)
TYPE_NAMES = {
    3: "string",
    4: "integer",
    5: "boolean",
    6: "user",
    7: "channel",
    8: "role",
    9: "mentionable",
    10: "number",
    11: "attachment",
}


class EmulatorUsageError(AssertionError):
    """The test asked for something a real Discord user could not do."""


def find_command(emu: DiscordEmulator, guild_id: int | None, name: str, ctype: int) -> JSON:
    scopes: list[JSON] = []
    if guild_id is not None:
        scopes += emu.state.guild_commands.get(guild_id, [])
    scopes += emu.state.global_commands
    for cmd in scopes:
        if cmd["name"] == name and cmd["type"] == ctype:
            if "guild_id" not in cmd and not _visible_in_context(cmd, guild_id):
                continue
            return cmd
    synced = sorted({c["name"] for c in scopes if c["type"] == ctype})
    raise EmulatorUsageError(f"no synced command {name!r} (type {ctype}) here; synced: {synced}")


def _visible_in_context(cmd: JSON, guild_id: int | None) -> bool:
    contexts = cmd.get("contexts")
    context = 0 if guild_id is not None else 1
    if contexts is not None:
        return context in contexts
    return guild_id is not None or cmd.get("dm_permission", True)


def check_can_use(
    emu: DiscordEmulator, cmd: JSON, guild: Guild | None, channel: Channel, user: User
) -> None:
    if guild is None:
        return
    perms = emu.state.permissions(channel, user.id)
    if not perms & P.VIEW_CHANNEL:
        raise EmulatorUsageError(f"{user.username} cannot see channel {channel.name!r}")
    if not perms & P.USE_APPLICATION_COMMANDS:
        raise EmulatorUsageError(
            f"{user.username} lacks USE_APPLICATION_COMMANDS in {channel.name!r}"
        )
    if not may_use(emu, cmd, guild, channel, user.id, perms):
        needed = cmd.get("default_member_permissions")
        raise EmulatorUsageError(
            f"{user.username} cannot see /{cmd['name']} here (default_member_permissions "
            f"{needed}, and no command permission in Server Settings → Integrations allows them)"
        )


ROLE_TARGET, USER_TARGET, CHANNEL_TARGET = 1, 2, 3  # command permission overwrite types


def may_use(
    emu: DiscordEmulator, cmd: JSON, guild: Guild, channel: Channel, user_id: int, perms: int
) -> bool:
    """Discord's command permissions (v2): the server's admins always may; a channel
    overwrite of the command (else of the whole app) may shut a channel; a member's
    overwrite of the command (else of the app) decides by user, then by role (any allow
    wins), then by @everyone; without one, ``default_member_permissions`` decides
    (``"0"``: admins only). What admins set in Server Settings → Integrations is
    ``emu.set_command_permissions``; bots cannot set it."""
    if perms & P.ADMINISTRATOR:
        return True
    by_command = emu.state.command_permissions.get(guild.id, {})
    levels = [by_command.get(int(cmd["id"]), []), by_command.get(emu.application_id, [])]
    all_channels = guild.id - 1
    for overwrites in levels:
        shut = _decide(overwrites, CHANNEL_TARGET, [channel.id], all_channels)
        if shut is not None:
            if not shut:
                return False
            break
    member = guild.members[user_id]
    for overwrites in levels:
        decided = _decide(overwrites, USER_TARGET, [user_id], None)
        if decided is None:
            decided = _decide(overwrites, ROLE_TARGET, list(member.roles), guild.id)
        if decided is not None:
            return decided
    required = cmd.get("default_member_permissions")
    if required is None:
        return True
    needed = int(required)
    return needed != 0 and perms & needed == needed


def _decide(overwrites: list[JSON], kind: int, ids: list[int], everyone: int | None) -> bool | None:
    """The overwrites of ``kind`` for ``ids`` (any allow wins), else the catch-all one
    (@everyone, or all channels), else None."""
    chosen = [o["permission"] for o in overwrites if o["type"] == kind and int(o["id"]) in ids]
    if chosen:
        return any(chosen)
    fallback = [
        o["permission"] for o in overwrites if o["type"] == kind and int(o["id"]) == everyone
    ]
    return fallback[0] if fallback else None


class OptionBuilder:
    def __init__(
        self, emu: DiscordEmulator, guild: Guild | None, channel: Channel, user: User
    ) -> None:
        self.emu = emu
        self.guild = guild
        self.channel = channel
        self.user = user
        self.resolved: dict[str, dict[str, JSON]] = {}

    def build(
        self, cmd: JSON, path: list[str], values: dict[str, Any], *, focused: str | None = None
    ) -> list[JSON]:
        defs = cmd.get("options") or []
        chain: list[tuple[str, int]] = []
        for part in path:
            match = next(
                (o for o in defs if o["name"] == part and o["type"] in (SUB_COMMAND, GROUP)), None
            )
            if match is None:
                names = [o["name"] for o in defs if o["type"] in (SUB_COMMAND, GROUP)]
                raise EmulatorUsageError(f"/{cmd['name']} has no subcommand {part!r}; has {names}")
            chain.append((part, match["type"]))
            defs = match.get("options") or []
        if any(o["type"] in (SUB_COMMAND, GROUP) for o in defs):
            names = [o["name"] for o in defs]
            raise EmulatorUsageError(f"/{cmd['name']} {' '.join(path)} needs a subcommand: {names}")
        leaf = self._leaf(cmd, defs, values, focused=focused)
        for name, otype in reversed(chain):
            leaf = [{"name": name, "type": otype, "options": leaf}]
        return leaf

    def _leaf(
        self, cmd: JSON, defs: list[JSON], values: dict[str, Any], *, focused: str | None
    ) -> list[JSON]:
        by_name = {o["name"]: o for o in defs}
        unknown = [k for k in values if k not in by_name]
        if unknown:
            raise EmulatorUsageError(
                f"/{cmd['name']} has no option(s) {unknown}; has {list(by_name)}"
            )
        if focused is not None:
            if focused not in by_name:
                raise EmulatorUsageError(f"/{cmd['name']} has no option {focused!r} to focus")
            if not by_name[focused].get("autocomplete"):
                raise EmulatorUsageError(
                    f"option {focused!r} of /{cmd['name']} has no autocomplete"
                )
        out = []
        for opt in defs:
            name = opt["name"]
            if name not in values:
                if opt.get("required") and focused is None:
                    raise EmulatorUsageError(f"/{cmd['name']} requires option {name!r}")
                continue
            if name == focused:
                out.append(
                    {"name": name, "type": opt["type"], "value": values[name], "focused": True}
                )
                continue
            out.append(
                {"name": name, "type": opt["type"], "value": self.convert(opt, values[name])}
            )
        return out

    def convert(self, opt: JSON, value: Any) -> Any:
        otype, name = opt["type"], opt["name"]
        kind = TYPE_NAMES.get(otype, str(otype))

        def bad(why: str) -> EmulatorUsageError:
            return EmulatorUsageError(f"option {name!r} ({kind}): {why}: {value!r}")

        if otype == STRING:
            if not isinstance(value, str):
                raise bad("not a string")
            if len(value) < opt.get("min_length", 0) or len(value) > opt.get("max_length", 6000):
                raise bad("length outside min_length/max_length")
        elif otype == INTEGER:
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**53:
                raise bad("not an integer")
        elif otype == NUMBER:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise bad("not a number")
        elif otype == BOOLEAN:
            if not isinstance(value, bool):
                raise bad("not a boolean")
        elif otype in (USER, CHANNEL, ROLE, MENTIONABLE):
            return self._resolve(opt, value, bad)
        elif otype == ATTACHMENT:
            return self._attachment(value, bad)
        if otype in (INTEGER, NUMBER):
            if "min_value" in opt and value < opt["min_value"]:
                raise bad(f"below min_value {opt['min_value']}")
            if "max_value" in opt and value > opt["max_value"]:
                raise bad(f"above max_value {opt['max_value']}")
        choices = opt.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise bad(f"not one of the choices {[c['value'] for c in choices]}")
        return value

    def _resolve(self, opt: JSON, value: Any, bad: Any) -> str:
        otype = opt["type"]
        state = self.emu.state
        target: Any = value
        if isinstance(value, Member):
            target = value.user
        if isinstance(value, int):
            if otype in (USER, MENTIONABLE) and value in state.users:
                target = state.users[value]
            elif otype == CHANNEL and value in state.channels:
                target = state.channels[value]
            elif self.guild is not None and value in self.guild.roles:
                target = self.guild.roles[value]
        if isinstance(target, User) and otype in (USER, MENTIONABLE):
            self._add("users", target.id, target.to_dict())
            member = None if self.guild is None else self.guild.members.get(target.id)
            if member is not None:
                data = member.to_dict(with_user=False)
                data["permissions"] = str(state.permissions(self.channel, target.id))
                self._add("members", target.id, data)
            return str(target.id)
        if isinstance(target, Role) and otype in (ROLE, MENTIONABLE):
            self._add("roles", target.id, target.to_dict())
            return str(target.id)
        if isinstance(target, Channel) and otype == CHANNEL:
            types = opt.get("channel_types")
            if types and target.type not in types:
                raise bad(f"channel type {target.type} not in channel_types {types}")
            if target.guild_id != (self.guild.id if self.guild else None):
                raise bad("channel is not in this guild")
            self._add("channels", target.id, self._partial_channel(target))
            return str(target.id)
        raise bad("cannot resolve (pass a User/Member/Channel/Role or a known id)")

    def _partial_channel(self, channel: Channel) -> JSON:
        full = channel.to_dict()
        keep = (
            "id",
            "name",
            "type",
            "last_message_id",
            "last_pin_timestamp",
            "nsfw",
            "parent_id",
            "guild_id",
            "flags",
            "rate_limit_per_user",
            "topic",
            "position",
            "thread_metadata",
        )
        data = {k: full[k] for k in keep if k in full}
        data["permissions"] = str(self.emu.state.permissions(channel, self.user.id))
        return data

    def _attachment(self, value: Any, bad: Any) -> str:
        if not isinstance(value, dict) or "filename" not in value:
            raise bad('pass {"filename": ..., "content": bytes, "content_type": ...}')
        att_id = self.emu.ids.next()
        content = value.get("content", b"")
        url = f"https://cdn.discordapp.com/ephemeral-attachments/{att_id}/{value['filename']}"
        self._add(
            "attachments",
            att_id,
            {
                "id": str(att_id),
                "filename": value["filename"],
                "size": len(content),
                "url": url,
                "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
                "content_type": value.get("content_type", "application/octet-stream"),
                "ephemeral": True,
            },
        )
        return str(att_id)

    def _add(self, kind: str, key: int, data: JSON) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = data
