"""``/nexus help`` fits its reader, and Discord hides what a member may not run: help
grouped by task with a section per role only for that role, every synced command in it,
and ``default_member_permissions`` on the wire for the mentors-and-admins commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.client import command_digest
from bot.db import app_state, sql
from cogs.checks import MENTORS_AND_ADMINS
from cogs.nexus.render import audience
from tests.emulator import User
from tests.flows.harness import Nexus, running_bot

TASKS = ["Get help", "Study together", "Pair up", "You"]
ROLES = ["For helpers", "For mentors", "For admins"]


async def help_fields(nexus: Nexus, user: User) -> dict[str, str]:
    """The sections of the user's ``/nexus help``, by title (split ones joined)."""
    ix = await nexus.slash(user, "nexus help")
    body = await ix.response()
    assert ix.ephemeral
    sections: dict[str, str] = {}
    for field in body["data"]["embeds"][0]["fields"]:
        title = field["name"].split(" (")[0]
        sections[title] = sections.get(title, "") + field["value"] + "\n"
    return sections


def listed(name: str, text: str) -> bool:
    """Whether help lists the command ``name`` (``/qa search``: its line starts
    ``/qa search`` and goes on with its options), or the message menu ``name``."""
    if not name.startswith("/"):
        return f"Message menu **{name}** — " in text
    usage = r"(?: \[?[a-z_]+\]?)*"
    return re.search(rf"^`{re.escape(name)}{usage}` — ", text, re.MULTILINE) is not None


def synced_names(commands: list[dict[str, Any]]) -> list[str]:
    """Every command a member can run, as help names it: ``/qa search``, or a menu."""
    names: list[str] = []

    def walk(prefix: str, options: list[dict[str, Any]]) -> None:
        subs = [o for o in options if o["type"] in (1, 2)]
        if not subs:
            names.append(f"/{prefix}")
        for sub in subs:
            walk(f"{prefix} {sub['name']}", sub.get("options") or [])

    for command in commands:
        if command["type"] == 1:
            walk(command["name"], command.get("options") or [])
        else:
            names.append(command["name"])
    return names


async def test_help_is_grouped_by_task_with_role_sections_only_for_them(nexus: Nexus) -> None:
    w = nexus.world
    learner = await help_fields(nexus, w.ada)
    assert list(learner) == TASKS
    assert listed("/ask", learner["Get help"]) and listed("/qa search", learner["Get help"])
    assert listed("Mark as solution", learner["Get help"])
    assert listed("/session cancel", learner["Study together"])  # anyone may host
    assert listed("/pair find", learner["Pair up"])
    assert listed("/remind me", learner["You"]) and listed("/privacy forget-me", learner["You"])
    assert "`/remind cancel id` — " in learner["You"]  # options as the product names them
    assert "`/session list [mine]` — " in learner["Study together"]
    everything = "".join(learner.values())
    for hidden in ("/qa subscribe", "/announce", "/pair round", "/nexus setup"):
        assert hidden not in everything

    helper = await help_fields(nexus, w.helper)
    assert list(helper) == [*TASKS, "For helpers"]
    assert listed("/qa subscribe", helper["For helpers"])

    mentor = await help_fields(nexus, w.mentor)
    assert list(mentor) == [*TASKS, "For helpers", "For mentors"]
    assert listed("/announce post", mentor["For mentors"])
    assert listed("/pair round", mentor["For mentors"])
    assert "Can't find `/announce`?" in mentor["For mentors"]
    assert "/announce digest" not in "".join(mentor.values())

    admin = await help_fields(nexus, w.admin)
    assert list(admin) == [*TASKS, *ROLES]
    for name in ("/nexus setup", "/announce digest", "/session reminders", "/pair rounds"):
        assert listed(name, admin["For admins"]), name
    assert "Can't find" not in admin["For mentors"]  # an admin sees every command


async def test_every_synced_command_is_in_help_for_an_admin_mentor_helper(nexus: Nexus) -> None:
    w = nexus.world
    nexus.emu.set_member_roles(w.guild.id, w.admin.id, [w.mentor_role.id, w.helper_role.id])
    shown = await help_fields(nexus, w.admin)
    text = "".join(shown.values())
    expected = synced_names(nexus.emu.commands())
    assert len(expected) > 40
    assert [name for name in expected if not listed(name, text)] == []


def readme_commands() -> list[str]:
    """The commands of the README's table: each backticked one of the first column."""
    text = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    table = text.split("## Commands", 1)[1]
    found: list[str] = []
    for line in table.splitlines():
        if line.startswith("| `/") or line.startswith("| message menu"):
            first = line.split(" | ")[0]
            found += re.findall(r"`(/[^`]+)`", first)
            found += re.findall(r"message menu \*\*([^*]+)\*\*", first)
    return found


async def test_the_readme_table_lists_every_synced_command_and_no_other(nexus: Nexus) -> None:
    synced = synced_names(nexus.emu.commands())
    rows = readme_commands()
    assert [name for name in synced if not listed_in_readme(name, rows)] == []
    stale = [row for row in rows if not any(listed_in_readme(name, [row]) for name in synced)]
    assert stale == []


def listed_in_readme(name: str, rows: list[str]) -> bool:
    """``/qa search`` is the row ``/qa search query [topic] [status]``: its options follow."""
    if not name.startswith("/"):
        return name in rows
    return any(re.fullmatch(rf"{re.escape(name)}(?: \[?[a-z_]+\]?)*", row) for row in rows)


async def test_mentors_and_admins_commands_are_synced_for_them_only(nexus: Nexus) -> None:
    """On the wire: ``/announce`` (every subcommand for mentors or admins) carries Manage
    Server; a mixed group (``/nexus``, ``/session``, ``/pair``) and the rest carry none,
    and refuse in the command instead."""
    synced = {c["name"]: c for c in nexus.emu.commands()}
    assert synced["announce"]["default_member_permissions"] == str(MENTORS_AND_ADMINS.value)
    for name in ("nexus", "session", "pair", "qa", "remind", "ask", "Mark as solution"):
        assert synced[name]["default_member_permissions"] is None, name

    # The rule, for every group: only when none of its commands is for anyone else.
    leaves: dict[str, set[str]] = {}
    for command in nexus.bot.tree.walk_commands():
        if not hasattr(command, "commands"):
            top = command.root_parent.name if command.root_parent else command.name
            leaves.setdefault(top, set()).add(audience(command))
    for top, who in leaves.items():
        restricted = who <= {"mentor", "admin"}
        expected = str(MENTORS_AND_ADMINS.value) if restricted else None
        assert synced[top]["default_member_permissions"] == expected, top

    refused = await nexus.reply(nexus.world.ada, "nexus setup", timezone="UTC")
    assert "Only admins" in refused["embeds"][0]["description"]


async def test_servers_synced_before_the_permissions_sync_again(bare: Nexus) -> None:
    """A server whose commands were synced without ``default_member_permissions``
    (an older release) gets them at the next start: the stored digest no longer matches."""
    older = bare.bot.command_payload()  # before close, which unloads the cogs
    await bare.bot.close()
    for command in older:
        command["default_member_permissions"] = None
    for command in bare.emu.state.global_commands:
        command["default_member_permissions"] = None
    async with bare.db.transaction() as tx:
        [key] = [
            row[0]
            for row in await sql.fetch_all(
                tx, "SELECT key FROM app_state WHERE key LIKE 'commands_hash:%'"
            )
        ]
        await app_state.put(tx, key, command_digest(older))
    async with running_bot(bare):
        assert bare.emu.sync_count == 2
        synced = {c["name"]: c for c in bare.emu.commands()}
        assert synced["announce"]["default_member_permissions"] == str(MENTORS_AND_ADMINS.value)
