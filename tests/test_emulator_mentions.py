"""Who a message notifies, and client errors a test did not expect: the emulator's rules,
checked over plain HTTP (no bot).

Discord's rules modelled here: a role mention pings only when the role is mentionable or
the sender has Mention Everyone in that channel; @everyone/@here only with Mention
Everyone (otherwise the text stays and pings nobody, no error); an edit re-reads the
mentions of the new content but notifies nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.emulator import DEFAULT_BOT, Channel, DiscordEmulator, Guild, Overwrite, P, Role, User
from tests.emulator.pytest_plugin import (
    check_no_unexpected_client_errors,
    declare_marked_expectations,
)

JSON = dict[str, Any]
NO_MENTION_EVERYONE = DEFAULT_BOT & ~P.MENTION_EVERYONE


@dataclass
class Server:
    emu: DiscordEmulator
    http: aiohttp.ClientSession
    guild: Guild
    helpers: Role
    hana: User  # a helper
    kofi: User  # a helper who can't see #help
    ada: User  # not a helper
    help: Channel

    async def call(self, method: str, path: str, body: JSON | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bot {self.emu.token}"}
        url = self.emu.api_base + path
        async with self.http.request(method, url, json=body, headers=headers) as response:
            data = await response.json() if response.status != 204 else None
            return response.status, data

    async def post(self, content: str, allowed: JSON, channel: Channel | None = None) -> JSON:
        target = channel or self.help
        status, data = await self.call(
            "POST",
            f"/channels/{target.id}/messages",
            {"content": content, "allowed_mentions": allowed},
        )
        assert status == 200, data
        return dict(data)

    async def edit(self, message: JSON, content: str, allowed: JSON) -> JSON:
        status, data = await self.call(
            "PATCH",
            f"/channels/{message['channel_id']}/messages/{message['id']}",
            {"content": content, "allowed_mentions": allowed},
        )
        assert status == 200, data
        return dict(data)

    def notified(self, message: JSON) -> list[int]:
        return self.emu.message(int(message["id"])).notified_ids


@pytest_asyncio.fixture
async def server(emulator: DiscordEmulator) -> AsyncIterator[Server]:
    guild = emulator.add_guild("ProDev")
    helpers = emulator.add_role(guild.id, "Helper")
    hana, kofi, ada = (emulator.add_user(n) for n in ("hana", "kofi", "ada"))
    for user in (hana, kofi):
        emulator.add_member(guild.id, user, roles=[helpers.id])
    emulator.add_member(guild.id, ada)
    hidden = Overwrite.member(kofi.id, deny=P.VIEW_CHANNEL)
    channel = emulator.add_text_channel(guild.id, "help", overwrites=[hidden])
    async with aiohttp.ClientSession() as http:
        yield Server(emulator, http, guild, helpers, hana, kofi, ada, channel)


def role_ping(role: Role) -> JSON:
    return {"parse": [], "roles": [str(role.id)]}


# -- role mentions --------------------------------------------------------------------


async def test_a_mentionable_role_notifies_its_members_who_see_the_channel(
    server: Server,
) -> None:
    emu = server.emu
    emu.set_bot_permissions(server.guild.id, NO_MENTION_EVERYONE)
    emu.set_role_mentionable(server.guild.id, server.helpers.id)
    sent = await server.post(f"{server.helpers.mention} help!", role_ping(server.helpers))
    assert sent["mention_roles"] == [str(server.helpers.id)]
    assert server.notified(sent) == [server.hana.id]  # not kofi (can't see #help), not ada


async def test_a_role_that_is_not_mentionable_notifies_nobody(server: Server) -> None:
    emu = server.emu
    emu.set_bot_permissions(server.guild.id, NO_MENTION_EVERYONE)
    assert not server.helpers.mentionable  # Discord's default for a new role
    sent = await server.post(f"{server.helpers.mention} help!", role_ping(server.helpers))
    assert sent["content"] == f"{server.helpers.mention} help!"  # the text stays, no error
    assert sent["mention_roles"] == []
    assert server.notified(sent) == []


async def test_mention_everyone_in_the_channel_lets_any_role_ping(server: Server) -> None:
    emu, guild = server.emu, server.guild
    assert guild.bot_role_id is not None
    emu.set_bot_permissions(guild.id, NO_MENTION_EVERYONE)
    allowed_here = Overwrite.role(guild.bot_role_id, allow=P.MENTION_EVERYONE)
    granted = emu.add_text_channel(guild.id, "staff", overwrites=[allowed_here])
    sent = await server.post(f"{server.helpers.mention}", role_ping(server.helpers), granted)
    assert sent["mention_roles"] == [str(server.helpers.id)]
    assert server.notified(sent) == [server.hana.id, server.kofi.id]

    # The other way round: the server grants it, this channel takes it away.
    emu.set_bot_permissions(guild.id, DEFAULT_BOT)
    denied_here = Overwrite.role(guild.bot_role_id, deny=P.MENTION_EVERYONE)
    muted = emu.add_text_channel(guild.id, "quiet", overwrites=[denied_here])
    sent = await server.post(f"{server.helpers.mention}", role_ping(server.helpers), muted)
    assert sent["mention_roles"] == [] and server.notified(sent) == []


async def test_allowed_mentions_still_decide_for_a_mentionable_role(server: Server) -> None:
    server.emu.set_role_mentionable(server.guild.id, server.helpers.id)
    sent = await server.post(f"{server.helpers.mention} {server.ada.mention}", {"parse": []})
    assert (sent["mention_roles"], sent["mentions"]) == ([], [])
    assert server.notified(sent) == []


async def test_a_reply_pings_its_author_only_when_allowed(server: Server) -> None:
    question = server.emu.user_message(server.help.id, server.ada, "why?")
    path = f"/channels/{server.help.id}/messages"
    reference = {"message_id": str(question.id)}
    for allowed, notified in (
        ({"parse": [], "replied_user": False}, []),
        ({"parse": [], "replied_user": True}, [server.ada.id]),
        (None, [server.ada.id]),  # no allowed_mentions at all: Discord's default pings
    ):
        body: JSON = {"content": "because", "message_reference": reference}
        if allowed is not None:
            body["allowed_mentions"] = allowed
        status, sent = await server.call("POST", path, body)
        assert status == 200, sent
        assert [m["id"] for m in sent["mentions"]] == [str(u) for u in notified]
        assert server.notified(sent) == notified


# -- edits ----------------------------------------------------------------------------


async def test_an_edit_notifies_nobody(server: Server) -> None:
    server.emu.set_role_mentionable(server.guild.id, server.helpers.id)
    quiet = await server.post("draft", {"parse": []})
    allow_all = {"parse": ["users", "roles", "everyone"]}
    edited = await server.edit(quiet, f"{server.helpers.mention} {server.ada.mention}", allow_all)
    # Discord rebuilds the mentions from the new content ...
    assert edited["mention_roles"] == [str(server.helpers.id)]
    assert [m["id"] for m in edited["mentions"]] == [str(server.ada.id)]
    # ... but only a new message notifies.
    assert server.notified(edited) == []

    loud = await server.post(f"{server.ada.mention} your turn", {"parse": ["users"]})
    assert server.notified(loud) == [server.ada.id]
    await server.edit(loud, "nobody now", {"parse": []})
    assert server.notified(loud) == [server.ada.id]  # what happened on create stays


async def test_everyone_in_an_edit_is_refused_as_in_a_create(server: Server) -> None:
    emu = server.emu
    everyone = {"parse": ["everyone"]}
    emu.set_bot_permissions(server.guild.id, NO_MENTION_EVERYONE)
    created = await server.post("@everyone hello", everyone)
    assert created["mention_everyone"] is False and server.notified(created) == []
    edited = await server.edit(created, "@here hello again", everyone)
    assert edited["mention_everyone"] is False and edited["content"] == "@here hello again"

    emu.set_bot_permissions(server.guild.id, DEFAULT_BOT)
    allowed = await server.post("@everyone hello", everyone)
    owner = server.guild.owner_id
    assert allowed["mention_everyone"] is True
    assert sorted(server.notified(allowed)) == sorted([owner, server.hana.id, server.ada.id])
    quiet = await server.post("hello", {"parse": []})
    edited = await server.edit(quiet, "@everyone hello", everyone)
    assert edited["mention_everyone"] is True and server.notified(edited) == []


# -- client errors a test did not expect ----------------------------------------------


async def test_an_undeclared_client_error_is_reported(server: Server) -> None:
    emu = server.emu
    missing = 1234
    status, _ = await server.call("GET", f"/channels/{missing}")
    assert status == 404
    [call] = emu.unexpected_client_errors()
    report = emu.client_error_report()
    assert report is not None
    assert f"GET /channels/{{channel_id}} [/channels/{missing}] -> 404 code 10003" in report
    with pytest.raises(pytest.fail.Exception, match="Unknown Channel"):
        check_no_unexpected_client_errors(emu)
    emu.calls.remove(call)  # keep this test's own teardown clean


async def test_declared_and_injected_client_errors_are_not_reported(server: Server) -> None:
    emu = server.emu
    with emu.expect_http_error(404, code=10003, method="GET"):
        assert (await server.call("GET", "/channels/1234"))[0] == 404
    emu.inject_failure("POST", rf"/channels/{server.help.id}/messages", 403, code=50013)
    assert (await server.call("POST", f"/channels/{server.help.id}/messages", {}))[0] == 403
    assert emu.unexpected_client_errors() == []

    # A declaration covers its block only, and only what it names.
    assert (await server.call("GET", "/channels/1234"))[0] == 404
    hidden = Overwrite.member(emu.bot_user.id, deny=P.VIEW_CHANNEL)
    staff = emu.add_text_channel(server.guild.id, "staff", overwrites=[hidden])
    with emu.expect_http_error(403, code=50001):
        assert (await server.call("GET", f"/channels/{staff.id}/messages"))[0] == 403
        assert (await server.call("GET", "/channels/1234"))[0] == 404
        assert (await server.call("GET", "/channels/5678/messages"))[0] == 404
        await server.call("POST", f"/channels/{server.help.id}/messages", {})
    assert [c.status for c in emu.unexpected_client_errors()] == [404, 404, 404, 400]
    emu.calls.clear()


async def test_a_declared_error_that_never_came_is_reported(server: Server) -> None:
    emu = server.emu
    never = "expected Discord to answer 403 code 50007"
    with pytest.raises(AssertionError, match=never), emu.expect_http_error(403, code=50007):
        await server.post("fine", {"parse": []})
    emu.expect_http_error(403, code=50013)
    report = emu.client_error_report()
    assert report is not None and "declared an expected 403 code 50013" in report
    emu.expectations.clear()


@pytest.mark.expect_http_error(404, code=10003)
async def test_a_marker_declares_an_error_for_the_whole_test(
    server: Server, request: pytest.FixtureRequest
) -> None:
    declare_marked_expectations(server.emu, request.node)
    assert (await server.call("GET", "/channels/1234"))[0] == 404
    assert server.emu.unexpected_client_errors() == []
    check_no_unexpected_client_errors(server.emu)
