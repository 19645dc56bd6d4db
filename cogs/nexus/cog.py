"""``/nexus setup``, ``/nexus config``, ``/nexus help``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.guild_settings import CHANNEL_COLUMNS, GuildSettings
from bot.services import access, setup_check
from bot.ui import embeds
from bot.ui.markup import plural
from cogs.autocomplete import timezone_choices
from cogs.checks import actor_of, admin_only, guild_of, write_cooldown
from cogs.nexus import render, strings
from cogs.nexus.publish import Guides

if TYPE_CHECKING:
    from bot.client import NexusBot


class NexusCog(commands.Cog):
    nexus = app_commands.Group(
        name="nexus",
        description="Set up Nexus for this server and see what it can do.",
        guild_only=True,
    )

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self.guides = Guides(bot)

    @nexus.command(
        name="setup",
        description="Admin: choose Nexus's channels and roles.",
        extras={"audience": "admin"},
    )
    @app_commands.describe(
        qa_forum="Forum (or text channel) where questions are asked",
        sessions_channel="Channel for study-session cards",
        announcements_channel="Channel for announcements",
        pairing_channel="Channel for pairing requests and pair threads",
        mentor_role="Role of mentors (announcements, pairing rounds, moderation)",
        helper_role="Role of helpers, pinged for unanswered questions",
        timezone="The server's timezone, used when a member has not set theirs",
    )
    @app_commands.autocomplete(timezone=timezone_choices)
    @admin_only()
    @write_cooldown(rate=3, per=30)
    async def setup(
        self,
        interaction: discord.Interaction[NexusBot],
        qa_forum: discord.ForumChannel | discord.TextChannel | None = None,
        sessions_channel: discord.TextChannel | None = None,
        announcements_channel: discord.TextChannel | None = None,
        pairing_channel: discord.TextChannel | None = None,
        mentor_role: discord.Role | None = None,
        helper_role: discord.Role | None = None,
        timezone: str | None = None,
    ) -> None:
        guild = guild_of(interaction)
        chosen = {
            "qa_channel_id": qa_forum,
            "sessions_channel_id": sessions_channel,
            "announcements_channel_id": announcements_channel,
            "pairing_channel_id": pairing_channel,
            "mentor_role_id": mentor_role,
            "helper_role_id": helper_role,
        }
        changes: dict[str, int | str | None] = {
            column: picked.id for column, picked in chosen.items() if picked is not None
        }
        if timezone is not None:
            changes["timezone"] = timezone
        if not changes:
            settings = await self.bot.services.guilds.get(guild.id) or GuildSettings(guild.id)
            embed = self._settings_embed(interaction, settings, title=strings.SETUP_NOTHING)
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        settings = await self.bot.services.guilds.save(guild.id, **changes)
        embed = self._settings_embed(interaction, settings, title=strings.SETUP_SAVED)
        await interaction.response.send_message(embed=embed, ephemeral=True)
        # The how-to posts take a few requests: the admin has the answer meanwhile.
        placed = await self.guides.place(guild, settings)
        if placed and embeds.add_field(embed, strings.GUIDES_LABEL, "\n".join(placed)):
            await interaction.edit_original_response(embed=embed)

    @nexus.command(
        name="config",
        description="Admin: show the settings and permission check.",
        extras={"audience": "admin"},
    )
    @admin_only()
    async def config(self, interaction: discord.Interaction[NexusBot]) -> None:
        settings = await self.bot.services.guilds.get(guild_of(interaction).id)
        if settings is None:
            await interaction.response.send_message(
                embed=embeds.warning(strings.CONFIG_TITLE, strings.NOT_SET_UP), ephemeral=True
            )
            return
        embed = self._settings_embed(interaction, settings, title=strings.CONFIG_TITLE)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @nexus.command(name="help", description="What Nexus can do, and the commands you can use.")
    async def help(self, interaction: discord.Interaction[NexusBot]) -> None:
        guild = guild_of(interaction)
        settings = await self.bot.services.guilds.get(guild.id)
        actor = actor_of(interaction)
        checks = {
            "helper": access.is_helper(actor, settings),
            "mentor": access.is_mentor(actor, settings),
            "admin": actor.is_admin,
        }
        roles = {role for role, held in checks.items() if held}
        tree = self.bot.tree
        embed = render.help_embed(
            render.entries(tree),
            roles,
            gated=render.gated(tree),
            allow_hint=not interaction.permissions.manage_guild,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _settings_embed(
        self, interaction: discord.Interaction[NexusBot], settings: GuildSettings, *, title: str
    ) -> discord.Embed:
        guild = guild_of(interaction)
        me = guild.me
        mentor = f"<@&{settings.mentor_role_id}>" if settings.mentor_role_id else None
        helper = f"<@&{settings.helper_role_id}>" if settings.helper_role_id else None
        embed = embeds.info(
            title,
            strings.ROLES.format(
                mentor=mentor or strings.NO_MENTOR_ROLE,
                helper=helper or strings.NO_HELPER_ROLE,
                timezone=settings.timezone,
            ),
        )
        problems = 0
        for setting in CHANNEL_COLUMNS:
            channel_id = settings.channel(setting)
            label = strings.SETTING_LABELS[setting]
            if channel_id is None:
                embeds.add_field(embed, label, strings.NOT_SET.format(option=setting))
                continue
            channel = guild.get_channel(channel_id)
            if channel is None:
                problems += 1
                embeds.add_field(embed, label, strings.CHANNEL_GONE.format(channel=channel_id))
                continue
            result = setup_check.check(setting, channel_id, _granted(channel.permissions_for(me)))
            problems += not result.ok
            embeds.add_field(embed, label, _render(result))
        pings = _role_pings(guild, settings)
        if pings is not None and not pings.ok:
            problems += 1
            embeds.add_field(embed, strings.PINGS_LABEL, _render_pings(pings))
        if settings.sessions_channel_id is not None:
            server = setup_check.check("server", guild.id, _granted(me.guild_permissions))
            if server.missing_optional:
                embeds.add_field(embed, strings.SETTING_LABELS["server"], _render(server))
        to_fix = plural(problems, "setting")
        if problems:
            # Saved, but not everything will work: say so where the admin looks first.
            embed.colour = embeds.WARNING
            if title == strings.SETUP_SAVED:
                need = "needs" if problems == 1 else "need"
                embed.title = strings.SAVED_WITH_PROBLEMS.format(settings=to_fix, need=need)
        embed.set_footer(
            text=strings.PROBLEMS.format(settings=to_fix) if problems else strings.ALL_GOOD
        )
        return embed


def _granted(permissions: discord.Permissions) -> set[str]:
    # By attribute, not by iterating: iteration yields canonical names only
    # (read_messages), not the aliases we use (view_channel).
    return {name for name in setup_check.invite_permissions() if getattr(permissions, name)}


def _role_pings(guild: discord.Guild, settings: GuildSettings) -> setup_check.RolePingCheck | None:
    """Whether the helper and mentor roles would be notified in the Q&A channel's threads."""
    channel = guild.get_channel(settings.qa_channel_id) if settings.qa_channel_id else None
    if channel is None:
        return None
    ids = {"helper_role": settings.helper_role_id, "mentor_role": settings.mentor_role_id}
    roles = [guild.get_role(ids[s] or 0) for s in setup_check.PINGED_IN_QA]
    mentionable = {role.id: role.mentionable for role in roles if role is not None}
    granted = _granted(channel.permissions_for(guild.me))
    return setup_check.check_role_pings(channel.id, mentionable, granted)


def _render_pings(result: setup_check.RolePingCheck) -> str:
    roles = " and ".join(f"<@&{role}>" for role in result.silent)
    the_roles = "the role" if len(result.silent) == 1 else "the roles"
    return strings.ROLES_NOT_PINGED.format(
        roles=roles, the_roles=the_roles, channel=f"<#{result.channel_id}>"
    )


def _render(result: setup_check.ChannelCheck) -> str:
    lines = [f"<#{result.target_id}>" if result.setting != "server" else "Server permissions"]
    if result.ok and not result.missing_optional:
        lines[0] += " — ✅ all permissions"
    for permission in result.missing:
        lines.append(f"❌ missing {setup_check.describe(permission)}")
    for permission in result.missing_optional:
        lines.append(f"⚠️ optional: {setup_check.describe(permission)}")
    return "\n".join(lines)
