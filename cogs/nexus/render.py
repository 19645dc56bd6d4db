"""``/nexus help``: every command of the synced tree, grouped by task, with the helper,
mentor and admin sections only for those who are."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.ui import embeds, limits
from cogs.nexus import strings

# Who a command is for (``extras["audience"]``, inherited from its group): "anyone" and
# "host" (anyone may host a session) sort by task; the others get their own section.
EVERYONE = frozenset({"anyone", "host"})
ROLE_SECTIONS = ("helper", "mentor", "admin")
ROLE_PREFIX = re.compile(r"^(?:Helpers?|Mentors?|Admins?): ")


@dataclass(frozen=True)
class Entry:
    name: str  # "/remind me", or a menu's "message menu **Mark as solution**"
    description: str
    section: str  # a task of ``strings.TASK_OF``, or a role of ``ROLE_SECTIONS``


def audience(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> str:
    """Who a command is for, from its ``extras`` (inherited from its group)."""
    node: Any = command
    while node is not None:
        if "audience" in node.extras:
            return str(node.extras["audience"])
        node = node.parent
    return "anyone"


def usage(command: app_commands.Command[Any, ..., Any]) -> str:
    """``/session info id``: the path, then the options, optional ones in brackets."""
    options = [p.display_name if p.required else f"[{p.display_name}]" for p in command.parameters]
    return " ".join([f"/{command.qualified_name}", *options])


def entries(tree: app_commands.CommandTree[Any]) -> list[Entry]:
    """Every slash command and message menu the bot syncs, by task (its top-level
    command's place in ``strings.TASK_OF``), then as each feature defines them."""
    order = list(strings.TASK_OF)
    found: list[tuple[int, Entry]] = []
    for command in tree.walk_commands():
        if not isinstance(command, app_commands.Command):
            continue
        who = audience(command)
        top = command.root_parent.name if command.root_parent else command.name
        section = strings.TASK_OF.get(top, "you") if who in EVERYONE else who
        rank = order.index(top) if top in order else len(order)
        found.append((rank, Entry(usage(command), command.description, section)))
    for menu in tree.get_commands(type=discord.AppCommandType.message):
        description = strings.MENU_DESCRIPTIONS.get(menu.name, "")
        section = strings.TASK_OF.get(menu.name, "you")
        rank = order.index(menu.name) if menu.name in order else len(order)
        name = strings.MESSAGE_MENU.format(name=menu.name)
        found.append((rank, Entry(name, description, section)))
    return [entry for _, entry in sorted(found, key=lambda ranked: ranked[0])]


def gated(tree: app_commands.CommandTree[Any]) -> list[str]:
    """The top-level commands synced with ``default_member_permissions``: members
    without Manage Server see them once an admin lets their role use them."""
    return sorted(
        command.name
        for command in tree.get_commands(type=discord.AppCommandType.chat_input)
        if command.default_permissions is not None
    )


def help_embed(
    found: Iterable[Entry], roles: set[str], *, gated: list[str], allow_hint: bool
) -> discord.Embed:
    """The commands for someone who is each of ``roles`` (``helper``, ``mentor``,
    ``admin``), by section. ``gated``: the commands hidden from members without Manage
    Server; ``allow_hint``: tell a mentor without it how they get to see them."""
    embed = embeds.info(strings.HELP_TITLE, strings.HELP_INTRO)
    by_section: dict[str, list[str]] = {}
    for entry in found:
        if entry.section in ROLE_SECTIONS and entry.section not in roles:
            continue
        name = f"`{entry.name}`" if entry.name.startswith("/") else entry.name
        description = entry.description
        if entry.section in ROLE_SECTIONS:  # the section's title already says who
            bare = ROLE_PREFIX.sub("", description)
            description = bare[:1].upper() + bare[1:]
        by_section.setdefault(entry.section, []).append(f"{name} — {description}")
    listed = ", ".join(f"`/{name}`" for name in gated)
    if gated and allow_hint and "mentor" in by_section:
        by_section["mentor"].append(strings.MENTOR_ALLOW_HINT.format(commands=listed))
    if gated and "admin" in by_section:
        by_section["admin"].append(strings.ADMIN_ALLOW_NOTE.format(commands=listed))
    for section, title in strings.SECTION_TITLES.items():
        lines = by_section.get(section)
        if not lines:
            continue
        blocks = limits.pack_lines(lines, limits.EMBED_FIELD_VALUE)
        for part, block in enumerate(blocks, start=1):
            suffix = f" ({part})" if len(blocks) > 1 else ""
            embeds.add_field(embed, title + suffix, block)
    return embed
