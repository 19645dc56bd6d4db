"""Loaded by name before the features: every app command error goes to the one error
pipeline (``cogs.errors``). A module of its own because discord.py executes an
extension afresh, and the pipeline's classes must stay the ones the cogs import."""

from __future__ import annotations

from discord.ext import commands

from cogs.errors import on_app_command_error


async def setup(bot: commands.Bot) -> None:
    bot.tree.error(on_app_command_error)
