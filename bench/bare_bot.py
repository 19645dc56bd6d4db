"""The bare bot ``bench/roundtrip.py`` compares Nexus with: plain discord.py, the same
slash commands and Join/Leave buttons, each answered with a fixed reply in the same
shape Nexus answers (an ephemeral message; for a click, a deferred "thinking" answer
and its followup). No database, no services: what is left is discord.py's own cost.

    DISCORD_TOKEN=… DISCORD_API_BASE=http://127.0.0.1:PORT/api/v10 python bench/bare_bot.py
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
from typing import Literal

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

REPLY = "ok"
log = logging.getLogger("bare-bot")


class CardView(discord.ui.View):
    """A card's buttons, only to post them; clicks are answered in ``on_interaction``."""

    def __init__(self, session_id: int) -> None:
        super().__init__(timeout=None)
        for action, style in (("join", discord.ButtonStyle.success), ("leave", None)):
            self.add_item(
                discord.ui.Button(
                    label=action.title(),
                    custom_id=f"session:{action}:{session_id}",
                    style=style or discord.ButtonStyle.secondary,
                )
            )


def build_tree(client: discord.Client) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    cards = itertools.count(1)
    timezone = app_commands.Group(name="timezone", description="Timezones.")
    session = app_commands.Group(name="session", description="Study sessions.")
    qa = app_commands.Group(name="qa", description="Q&A.", guild_only=True)
    remind = app_commands.Group(name="remind", description="Reminders.")
    pair = app_commands.Group(name="pair", description="Pairing.", guild_only=True)

    async def answer(interaction: discord.Interaction[discord.Client]) -> None:
        await interaction.response.send_message(REPLY, ephemeral=True)

    @timezone.command(name="show", description="Show your timezone.")
    async def timezone_show(interaction: discord.Interaction[discord.Client]) -> None:
        await answer(interaction)

    @session.command(name="list", description="Upcoming sessions.")
    async def session_list(
        interaction: discord.Interaction[discord.Client], mine: bool = False
    ) -> None:
        await answer(interaction)

    @session.command(name="info", description="One session.")
    async def session_info(interaction: discord.Interaction[discord.Client], id: int) -> None:
        await answer(interaction)

    @session.command(name="create", description="Post a card with Join and Leave.")
    async def session_create(
        interaction: discord.Interaction[discord.Client], title: str, when: str, capacity: int = 0
    ) -> None:
        await interaction.response.send_message(title, view=CardView(next(cards)))

    @qa.command(name="search", description="Search.")
    async def qa_search(
        interaction: discord.Interaction[discord.Client],
        query: str,
        status: Literal["open", "solved", "closed"] | None = None,
    ) -> None:
        await answer(interaction)

    @remind.command(name="me", description="Remind yourself.")
    async def remind_me(
        interaction: discord.Interaction[discord.Client], when: str, what: str
    ) -> None:
        await answer(interaction)

    @pair.command(name="find", description="Suggested partners.")
    async def pair_find(interaction: discord.Interaction[discord.Client]) -> None:
        await answer(interaction)

    for group in (timezone, session, qa, remind, pair):
        tree.add_command(group)
    return tree


class BareBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents(guilds=True, guild_messages=True))
        self.tree = build_tree(self)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        log.info("bare bot ready")

    async def on_interaction(self, interaction: discord.Interaction[discord.Client]) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(REPLY, ephemeral=True)


async def gateway_of(api_base: str, token: str) -> str:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{api_base}/gateway/bot", headers={"Authorization": f"Bot {token}"}) as reply,
    ):
        url: str = (await reply.json())["url"]
        return url


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    token = os.environ["DISCORD_TOKEN"]
    api_base = os.environ["DISCORD_API_BASE"]
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(await gateway_of(api_base, token))
    bot = BareBot()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)


if __name__ == "__main__":
    asyncio.run(main())
