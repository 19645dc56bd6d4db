"""What the web pages learn from Discord: members' names as Discord shows them (from
their interactions and their messages), and the server's name when it changes. Names
are kept only for servers on the web (the service decides), and forget-me deletes
them: the web's data holders are registered while this cog is loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.services.web.publishing import PRIVACY_OWNER

if TYPE_CHECKING:
    from bot.client import NexusBot


class NexusEvents(commands.Cog):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.services.web.register_privacy(self.bot.services.privacy)

    async def cog_unload(self) -> None:
        self.bot.services.privacy.remove(PRIVACY_OWNER)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[NexusBot]) -> None:
        if interaction.guild_id is not None:
            await self._remember(interaction.guild_id, interaction.user)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is not None and not message.author.bot:
            await self._remember(message.guild.id, message.author)

    @commands.Cog.listener()
    async def on_guild_update(self, before: discord.Guild, after: discord.Guild) -> None:
        if before.name != after.name and await self.bot.services.web.guild(after.id):
            await self.bot.services.web.rename(after.id, after.name)

    async def _remember(self, guild_id: int, who: discord.User | discord.Member) -> None:
        await self.bot.services.web.remember_name(guild_id, who.id, who.display_name)
