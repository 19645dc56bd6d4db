"""``/announce …``: mentors write an announcement in a modal, see an exact preview, then
post it now or on a schedule; list, edit, cancel and delete them; admins schedule the
weekly digest. The rules live in ``bot/services/announcements``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.announcements.service import PUBLISH_LIMIT
from bot.ui import embeds, limits, markup
from cogs.announcements import render, strings
from cogs.announcements.publish import AnnouncementPublisher
from cogs.announcements.views import WriteModal, preview_view
from cogs.checks import MENTORS_AND_ADMINS, actor_of, admin_only, guild_of, write_cooldown

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class AnnounceCog(commands.Cog):
    announce = app_commands.Group(
        name="announce",
        description=strings.GROUP,
        guild_only=True,
        default_permissions=MENTORS_AND_ADMINS,  # every subcommand is for mentors or admins
    )

    def __init__(self, bot: NexusBot, publisher: AnnouncementPublisher) -> None:
        self.bot = bot
        self.publisher = publisher

    # -- writing and posting --------------------------------------------------------------

    @announce.command(
        name="post",
        description="Mentor: write an announcement, preview it, post it now or later.",
        extras={"audience": "mentor"},
    )
    @app_commands.describe(
        channel="Where (default: the announcements channel)",
        ping="A role to ping (choosing @everyone pings everyone); nobody otherwise",
        when="Post later, in your timezone: tomorrow 9am, friday 18:00",
        repeat="Post again every day or every week at the same local time",
    )
    @write_cooldown(rate=5, per=60)
    async def post(
        self,
        interaction: discord.Interaction[NexusBot],
        channel: discord.TextChannel | None = None,
        ping: discord.Role | None = None,
        when: str | None = None,
        repeat: Literal["none", "daily", "weekly"] = "none",
    ) -> None:
        guild = guild_of(interaction)
        service = self.bot.services.announcements
        actor = actor_of(interaction)
        await service.require_mentor(guild.id, actor)
        channel_id = (
            channel.id
            if channel is not None
            else await self.bot.services.guilds.require(guild.id, "announcements_channel")
        )
        await service.check_when(guild.id, actor.user_id, when)  # a bad time fails before the modal

        async def drafted(submitted: discord.Interaction[NexusBot], title: str, body: str) -> None:
            draft = await service.draft(
                guild.id,
                actor_of(submitted),
                author_name=submitted.user.display_name,
                channel_id=channel_id,
                title=title,
                body=body,
                ping_role_id=ping.id if ping is not None else None,
                when=when,
                repeat=repeat,
            )
            refusal = service.refusal(draft, actor_of(submitted))
            content, embed = render.preview(draft, refusal)
            await submitted.response.send_message(
                content=content,
                embed=embed,
                view=preview_view(draft.id, scheduled=draft.due is not None, refused=bool(refusal)),
                ephemeral=True,
            )

        await interaction.response.send_modal(
            WriteModal(heading=strings.MODAL_TITLE, submit=drafted)
        )

    async def confirm(self, interaction: discord.Interaction[NexusBot], draft_id: int) -> None:
        """**Post** / **Schedule** on the preview."""
        service = self.bot.services.announcements
        confirmed = await service.confirm(draft_id, actor_of(interaction))
        if confirmed.status == "scheduled" and confirmed.due is not None:
            await interaction.response.edit_message(
                content=None,
                embed=embeds.success(
                    strings.SCHEDULED_TITLE.format(id=confirmed.id),
                    strings.SCHEDULED.format(
                        when=embeds.when(confirmed.due),
                        repeat=strings.REPEATS[confirmed.repeat],
                        channel=f"<#{confirmed.channel_id}>",
                        id=confirmed.id,
                    ),
                ),
                view=None,
            )
            return
        await interaction.response.defer()
        claim = await service.claim(confirmed.id)
        if claim is None:
            return
        posted, published = await self.publisher.post(claim, actor_id=interaction.user.id)
        [last] = [p for p in await service.posts(posted.id) if p.occurrence == claim.occurrence]
        link = markup.jump_url(posted.guild_id, last.channel_id, last.message_id)
        lines = [strings.POSTED.format(link=link)]
        if not published:
            lines.append(strings.NOT_PUBLISHED.format(limit=PUBLISH_LIMIT))
        await interaction.edit_original_response(
            content=None,
            embed=embeds.success(strings.POSTED_TITLE.format(id=posted.id), "\n".join(lines)),
            view=None,
        )

    async def discard(self, interaction: discord.Interaction[NexusBot], draft_id: int) -> None:
        await self.bot.services.announcements.discard(draft_id, interaction.user.id)
        await interaction.response.edit_message(
            content=None, embed=embeds.muted(strings.DISCARDED), view=None
        )

    # -- list, edit, cancel, delete -------------------------------------------------------

    @announce.command(
        name="list",
        description="Mentor: scheduled and recent announcements, with their history.",
        extras={"audience": "mentor"},
    )
    async def list_(self, interaction: discord.Interaction[NexusBot]) -> None:
        guild = guild_of(interaction)
        service = self.bot.services.announcements
        await service.require_mentor(guild.id, actor_of(interaction))
        found, trail = await service.listing(guild.id)
        await interaction.response.send_message(embed=render.listing(found, trail), ephemeral=True)

    @announce.command(
        name="edit",
        description="Mentor: edit a scheduled announcement, or a posted one in place.",
        extras={"audience": "mentor"},
    )
    @app_commands.describe(id="The announcement")
    @write_cooldown()
    async def edit(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        guild = guild_of(interaction)
        service = self.bot.services.announcements
        await service.require_mentor(guild.id, actor_of(interaction))
        current = await service.get(id, guild.id)

        async def edited(submitted: discord.Interaction[NexusBot], title: str, body: str) -> None:
            updated, changed, posts = await service.edit(
                id, guild.id, actor_of(submitted), title=title, body=body
            )
            await submitted.response.defer(ephemeral=True, thinking=True)
            await self.publisher.edit_posts(updated, posts)
            where = strings.EDITED_POSTED if posts else strings.EDITED_SCHEDULED
            await submitted.followup.send(
                embed=embeds.success(
                    strings.EDITED_TITLE.format(id=id),
                    strings.EDITED.format(changed=", ".join(changed), where=where),
                ),
                ephemeral=True,
            )

        await interaction.response.send_modal(
            WriteModal(
                heading=strings.EDIT_MODAL_TITLE.format(id=id),
                submit=edited,
                title=current.title,
                body=current.body,
            )
        )

    @announce.command(
        name="cancel",
        description="Mentor: drop a scheduled announcement.",
        extras={"audience": "mentor"},
    )
    @app_commands.describe(id="The announcement")
    @write_cooldown()
    async def cancel(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        guild = guild_of(interaction)
        await self.bot.services.announcements.cancel(id, guild.id, actor_of(interaction))
        await interaction.response.send_message(
            embed=embeds.success(strings.CANCELLED_TITLE.format(id=id), strings.CANCELLED),
            ephemeral=True,
        )

    @announce.command(
        name="delete",
        description="Mentor: delete a posted announcement's message.",
        extras={"audience": "mentor"},
    )
    @app_commands.describe(id="The announcement")
    @write_cooldown()
    async def delete(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        guild = guild_of(interaction)
        service = self.bot.services.announcements
        _, posts = await service.delete(id, guild.id, actor_of(interaction))
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.publisher.delete_posts(posts)
        await interaction.followup.send(
            embed=embeds.success(strings.DELETED_TITLE.format(id=id), strings.DELETED),
            ephemeral=True,
        )

    @edit.autocomplete("id")
    @cancel.autocomplete("id")
    @delete.autocomplete("id")
    async def announcement_choices(
        self, interaction: discord.Interaction[NexusBot], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.bot.services.announcements.suggest(
            interaction.guild_id, current, limits.AUTOCOMPLETE_CHOICES
        )
        return [
            app_commands.Choice(
                name=limits.shorten(f"#{a.id} · {a.status} · {a.title}", limits.CHOICE_NAME),
                value=a.id,
            )
            for a in found
        ]

    # -- the digest -----------------------------------------------------------------------

    @announce.command(
        name="digest",
        description="Admin: a weekly digest post, e.g. mon 09:00, or off.",
        extras={"audience": "admin"},
    )
    @app_commands.describe(schedule="A weekday and time in the server's timezone, or off")
    @admin_only()
    @write_cooldown(rate=3, per=60)
    async def digest(self, interaction: discord.Interaction[NexusBot], schedule: str) -> None:
        guild = guild_of(interaction)
        await self.bot.services.guilds.require(guild.id, "announcements_channel")
        chosen = await self.bot.services.digest.set_digest(guild.id, schedule)
        if chosen is None:
            embed = embeds.success(strings.DIGEST_TITLE, strings.DIGEST_OFF)
        else:
            embed = embeds.success(
                strings.DIGEST_TITLE,
                strings.DIGEST_SET.format(
                    when=markup.weekly(chosen.weekday, chosen.at_minute),
                    zone=chosen.zone,
                    relative=embeds.timestamp(chosen.next_at, "R"),
                ),
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)
