"""``/pair …``: profiles, suggestions, requests, partnerships, rounds. The rules live in
``bot/services/pairing``; this adapter reads interactions, renders and answers, and has
``publish`` do what pairing shows on Discord."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import nonces
from bot.ui import embeds, markup
from cogs.checks import admin_only, guild_of, mentor_only, write_cooldown
from cogs.pairing import render, strings
from cogs.pairing.publish import PairingPublisher
from cogs.pairing.views import find_view

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

Track = Literal["frontend", "backend", "fullstack"]
LookingFor = Literal["project", "study-buddy", "code-review", "any"]


class PairingCog(commands.Cog):
    pair = app_commands.Group(name="pair", description=strings.GROUP, guild_only=True)

    def __init__(self, bot: NexusBot, publisher: PairingPublisher) -> None:
        self.bot = bot
        self.publisher = publisher

    # -- profile and suggestions ------------------------------------------------------

    @pair.command(name="profile", description="Your pairing profile: track, skills, hours.")
    @app_commands.describe(
        track="What you build: frontend, backend or fullstack",
        skills="Comma list, e.g. python, django, postgresql (at most 15)",
        looking_for="What kind of partner you want (default: any)",
        availability="Weekly hours in your timezone, e.g. mon-fri 18-22, sat 10-14",
        bio="A line about you and what you want to build",
        available="Include you in rounds and requests (default: yes)",
    )
    @write_cooldown()
    async def profile(
        self,
        interaction: discord.Interaction[NexusBot],
        track: Track,
        skills: str,
        looking_for: LookingFor | None = None,
        availability: str | None = None,
        bio: str | None = None,
        available: bool | None = None,
    ) -> None:
        guild = guild_of(interaction)
        saved = await self.bot.services.pairing.save_profile(
            guild.id,
            interaction.user.id,
            track=track,
            skills=skills,
            looking_for=looking_for,
            availability=availability,
            bio=bio,
            available=available,
        )
        lines = [render.profile_line(saved)]
        if not saved.windows:
            lines.append(strings.NO_HOURS)
        lines.append(strings.PROFILE_UNAVAILABLE if not saved.available else strings.PROFILE_NEXT)
        await interaction.response.send_message(
            embed=embeds.success(strings.PROFILE_SAVED, "\n".join(lines)), ephemeral=True
        )

    @pair.command(name="find", description="Up to 5 suggested partners, with their reasons.")
    async def find(self, interaction: discord.Interaction[NexusBot]) -> None:
        guild = guild_of(interaction)
        found = await self.bot.services.pairing.find(guild.id, interaction.user.id)
        view = find_view([s.user_id for s in found]) if found else discord.utils.MISSING
        await interaction.response.send_message(
            embed=render.suggestions(found), view=view, ephemeral=True
        )

    # -- requests ---------------------------------------------------------------------

    @pair.command(name="request", description="Ask someone to pair with you.")
    @app_commands.describe(user="Who to ask", message="A line about what you'd like to build")
    @write_cooldown(rate=3, per=60)
    async def request(
        self,
        interaction: discord.Interaction[NexusBot],
        user: discord.Member,
        message: str | None = None,
    ) -> None:
        await self.send_request(interaction, user.id, message)

    async def send_request(
        self, interaction: discord.Interaction[NexusBot], target_id: int, message: str | None
    ) -> None:
        """``/pair request`` and the **Request** button of a suggestion."""
        guild = guild_of(interaction)
        pairing = self.bot.services.pairing
        channel_id = await self.bot.services.guilds.require(guild.id, "pairing_channel")
        created = await pairing.request(guild.id, interaction.user.id, target_id, message)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            post = await self.publisher.post_request(created, channel_id)
        except BaseException:
            await pairing.withdraw_request(created.id)
            raise
        await pairing.attach_request_post(created.id, channel_id, post.id)
        await interaction.followup.send(
            embed=embeds.success(
                strings.REQUEST_SENT_TITLE,
                strings.REQUEST_SENT.format(
                    target=markup.user(target_id),
                    channel=post.jump_url,
                    relative=embeds.timestamp(datetime.fromtimestamp(created.expires_at, UTC), "R"),
                ),
            ),
            ephemeral=True,
        )

    async def answer(
        self, interaction: discord.Interaction[NexusBot], request_id: int, *, accept: bool
    ) -> None:
        """**Accept** / **Decline** on a request post: only its target."""
        pairing = self.bot.services.pairing
        decision = await pairing.answer(request_id, interaction.user.id, accept=accept)
        await interaction.response.edit_message(
            content=render.request_outcome(decision.request), view=None
        )
        if decision.pair is None:
            return
        channel_id = decision.request.channel_id or await self.bot.services.guilds.require(
            decision.request.guild_id, "pairing_channel"
        )
        thread_id = await self.publisher.open_thread(decision.pair, channel_id)
        await interaction.followup.send(
            embed=embeds.success(
                strings.PAIRED_TITLE,
                strings.ACCEPTED_REPLY.format(thread=f"<#{thread_id}>"),
            ),
            ephemeral=True,
        )

    # -- status and partnerships ------------------------------------------------------

    @pair.command(name="status", description="Your partners and requests, sent and received.")
    async def status(self, interaction: discord.Interaction[NexusBot]) -> None:
        guild = guild_of(interaction)
        found = await self.bot.services.pairing.status(guild.id, interaction.user.id)
        now = self.bot.services.clock.now()
        await interaction.response.send_message(embed=render.status(found, now=now), ephemeral=True)

    @pair.command(name="end", description="End a partnership.")
    @app_commands.describe(user="Your partner")
    @write_cooldown()
    async def end(self, interaction: discord.Interaction[NexusBot], user: discord.Member) -> None:
        guild = guild_of(interaction)
        pair = await self.bot.services.pairing.end(guild.id, interaction.user.id, user.id)
        await self.publisher.say_in_thread(
            pair,
            strings.ENDED_NOTICE.format(who=markup.user(interaction.user.id)),
            nonces.pair_notice(pair.id, "end"),
        )
        await interaction.response.send_message(
            embed=embeds.success(strings.ENDED_TITLE, strings.ENDED.format(other=user.mention)),
            ephemeral=True,
        )

    @pair.command(name="snooze", description="Skip pairing rounds until a date.")
    @app_commands.describe(until="When to be included again, e.g. 2026-12-20 or in 2 weeks")
    @write_cooldown()
    async def snooze(self, interaction: discord.Interaction[NexusBot], until: str) -> None:
        guild = guild_of(interaction)
        when = await self.bot.services.pairing.snooze(guild.id, interaction.user.id, until)
        await interaction.response.send_message(
            embed=embeds.success(
                strings.SNOOZED_TITLE, strings.SNOOZED.format(until=embeds.when(when))
            ),
            ephemeral=True,
        )

    @pair.command(name="exclude", description="Never be matched with someone (private).")
    @app_commands.describe(user="Who you never want to be matched with")
    @write_cooldown()
    async def exclude(
        self, interaction: discord.Interaction[NexusBot], user: discord.Member
    ) -> None:
        guild = guild_of(interaction)
        added = await self.bot.services.pairing.exclude(guild.id, interaction.user.id, user.id)
        text = strings.EXCLUDED if added else strings.ALREADY_EXCLUDED
        embed = (embeds.success if added else embeds.muted)(
            strings.EXCLUDED_TITLE, text.format(other=user.mention)
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # -- rounds -----------------------------------------------------------------------

    @pair.command(
        name="round",
        description="Mentor: pair every available learner in one optimal round.",
        extras={"audience": "mentor"},
    )
    @mentor_only()
    @write_cooldown(rate=2, per=60)
    async def round(self, interaction: discord.Interaction[NexusBot]) -> None:
        guild = guild_of(interaction)
        pairing = self.bot.services.pairing
        channel_id = await self.bot.services.guilds.require(guild.id, "pairing_channel")
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await pairing.rounds.plan(guild.id, started_by=interaction.user.id)
        await self.publisher.open_all(report.pairs, channel_id)
        await pairing.rounds.finish(report.round_id)
        await interaction.followup.send(embed=render.round_report(report), ephemeral=True)

    @pair.command(
        name="rounds",
        description="Admin: automatic pairing rounds, e.g. weekly mon 10:00, or off.",
        extras={"audience": "admin"},
    )
    @app_commands.describe(schedule="A weekday and time in the server's timezone, or off")
    @admin_only()
    @write_cooldown(rate=3, per=60)
    async def rounds(self, interaction: discord.Interaction[NexusBot], schedule: str) -> None:
        guild = guild_of(interaction)
        await self.bot.services.guilds.require(guild.id, "pairing_channel")
        chosen = await self.bot.services.pairing.rounds.set_schedule(guild.id, schedule)
        if chosen is None:
            embed = embeds.success(strings.SCHEDULE_TITLE, strings.SCHEDULE_OFF)
        else:
            embed = embeds.success(
                strings.SCHEDULE_TITLE,
                strings.SCHEDULE_SET.format(
                    when=markup.weekly(chosen.weekday, chosen.at_minute),
                    zone=chosen.zone,
                    relative=embeds.timestamp(chosen.next_at, "R"),
                ),
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def check_in(
        self, interaction: discord.Interaction[NexusBot], pair_id: int, answer: str
    ) -> None:
        """**We met** / **Not yet** / **Didn't work out**: only the pair's members."""
        await self.bot.services.pairing.check_in(pair_id, interaction.user.id, answer)
        await interaction.response.send_message(
            embed=embeds.success(strings.CHECKIN_TITLE, strings.CHECKIN_THANKS[answer]),
            ephemeral=True,
        )
