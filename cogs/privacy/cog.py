"""``/privacy forget-me``: delete what the bot holds about the user, after a confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import embeds
from cogs.checks import write_cooldown
from cogs.components import ConfirmView
from cogs.privacy import strings

if TYPE_CHECKING:
    from bot.client import NexusBot


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="Your data in Nexus.")

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    @privacy.command(
        name="web", description="Keep your questions and answers off the web pages, or allow them."
    )
    @app_commands.describe(
        state="off: left out of the web pages (shown as hidden); on: allowed (the default)"
    )
    @write_cooldown(rate=3, per=30)
    async def web(
        self, interaction: discord.Interaction[NexusBot], state: Literal["on", "off"]
    ) -> None:
        await self.bot.services.web.set_visible(interaction.user.id, state == "on")
        if state == "on":
            embed = embeds.success(strings.WEB_SHOWN_TITLE, strings.WEB_SHOWN)
        else:
            embed = embeds.success(strings.WEB_HIDDEN_TITLE, strings.WEB_HIDDEN)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @privacy.command(name="forget-me", description="Delete everything Nexus stores about you.")
    @write_cooldown(rate=2, per=60)
    async def forget_me(self, interaction: discord.Interaction[NexusBot]) -> None:
        privacy = self.bot.services.privacy
        held = await privacy.inventory(interaction.user.id)
        if not held:
            await interaction.response.send_message(
                embed=embeds.info(strings.NOTHING_TITLE, strings.NOTHING),
                ephemeral=True,
            )
            return
        listing = "\n".join(f"• {label}: {count}" for label, count in held.items())
        view = ConfirmView(interaction.user.id, confirm_label=strings.CONFIRM_BUTTON)
        await interaction.response.send_message(
            embed=embeds.warning(
                strings.CONFIRM_TITLE,
                strings.CONFIRM.format(listing=listing, kept=strings.KEPT),
            ),
            view=view,
            ephemeral=True,
        )
        view.message = await interaction.original_response()
        await view.wait()
        if view.interaction is None:
            await interaction.edit_original_response(
                embed=embeds.muted(strings.NOT_DELETED, strings.TIMED_OUT), view=None
            )
            return
        if not view.result:
            await view.interaction.response.edit_message(
                embed=embeds.muted(strings.NOT_DELETED, strings.CANCELLED), view=None
            )
            return
        report = await privacy.forget(interaction.user.id)
        done = "\n".join(f"• {label}: {count}" for label, count in report.erased.items())
        await view.interaction.response.edit_message(
            embed=embeds.success(strings.DONE_TITLE, f"{done}\n\n{strings.KEPT}"), view=None
        )
