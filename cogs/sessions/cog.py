"""``/session …``: study sessions with RSVP cards, waitlists, reminders, recurrence,
the scheduled-event mirror and calendar export. The rules live in
``bot/services/sessions.py``; this adapter reads interactions, renders, and drives the
Discord side (``publisher``, ``mirror``), including the session timers."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.delivery import quietly
from bot.services.sessions.rules import DURATION_MAX, DURATION_MIN
from bot.time.durations import format_duration
from bot.ui import embeds, limits, markup
from cogs.checks import actor_of, admin_only, guild_of, write_cooldown
from cogs.sessions import render, strings
from cogs.sessions.events import EventMirror
from cogs.sessions.publish import Publisher
from cogs.sessions.views import pager

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

PAGE = 10


class SessionsCog(commands.Cog):
    session = app_commands.Group(name="session", description=strings.GROUP, guild_only=True)

    def __init__(self, bot: NexusBot, publisher: Publisher, mirror: EventMirror) -> None:
        self.bot = bot
        self.publisher = publisher
        self.mirror = mirror

    # -- commands ---------------------------------------------------------------------

    @session.command(name="create", description="Schedule a study session and post its render.")
    @app_commands.describe(
        title="What the session is (at most 100 characters)",
        when="Start, in your timezone: tomorrow 18:00, friday 6pm, 2026-12-01 18:00",
        duration=f"Length in minutes ({DURATION_MIN}–{DURATION_MAX}, default 60)",
        topic="Topic, e.g. django, async, databases",
        description="What you'll cover and how to prepare (at most 1,000 characters)",
        capacity="Places (1–500); leave out for no limit. Extra joiners wait in line",
        repeat="Repeat every day or every week at the same local time",
        voice_channel="The voice or stage channel it happens in",
    )
    @write_cooldown(rate=3, per=60)
    async def create(
        self,
        interaction: discord.Interaction[NexusBot],
        title: str,
        when: str,
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX] = 60,
        topic: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
        repeat: Literal["none", "daily", "weekly"] = "none",
        voice_channel: discord.VoiceChannel | discord.StageChannel | None = None,
    ) -> None:
        guild = guild_of(interaction)
        services = self.bot.services
        await services.guilds.require(guild.id, "sessions_channel")
        session = await services.sessions.create(
            guild_id=guild.id,
            host_id=interaction.user.id,
            title=title,
            when=when,
            duration=duration,
            topic=topic,
            description=description,
            capacity=capacity,
            repeat=repeat,
            voice_channel_id=voice_channel.id if voice_channel else None,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            session = await self.publisher.post_card(session)
        except BaseException:
            await self.publisher.withdraw(session.id)
            raise
        await self.mirror.sync_quietly(session)
        setup = await services.sessions.reminder_setup(session, interaction.user.id)
        lines = [
            embeds.when(session.start),
            f"Card: {session.card_url}",
            render.hosting_line(session),
            render.reminders_line(setup),
        ]
        await interaction.followup.send(
            embed=embeds.success(f"Session #{session.id} scheduled", "\n".join(lines)),
            ephemeral=True,
        )

    @session.command(name="list", description="Upcoming sessions, soonest first.")
    @app_commands.describe(mine="Only the sessions you joined, wait for, or host")
    async def list_(self, interaction: discord.Interaction[NexusBot], mine: bool = False) -> None:
        embed, view = await self._page(interaction, mine=mine, offset=0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def show_page(
        self, interaction: discord.Interaction[NexusBot], *, mine: bool, offset: int
    ) -> None:
        """◀ / ▶: the page at ``offset``, in place of the one shown (one request)."""
        embed, view = await self._page(interaction, mine=mine, offset=offset)
        await interaction.response.edit_message(embed=embed, view=view)

    async def _page(
        self, interaction: discord.Interaction[NexusBot], *, mine: bool, offset: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """A page of the list and, when there is more than one, its ◀ / ▶."""
        user_id = interaction.user.id if mine else None
        page, total = await self.bot.services.sessions.upcoming(
            guild_of(interaction).id, user_id=user_id, limit=PAGE, offset=offset
        )
        embed = render.list_embed(page, total=total, offset=offset, mine=mine)
        if total <= PAGE:
            return embed, None
        return embed, pager(mine=mine, offset=offset, page=PAGE, total=total)

    @session.command(name="info", description="One session with its attendees and waitlist.")
    @app_commands.describe(id="The session")
    async def info(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        sessions = self.bot.services.sessions
        session = await sessions.get(id, guild_of(interaction).id)
        roster = await sessions.cards.head(id, names=render.INFO_NAMES)
        await interaction.response.send_message(
            embed=render.info_embed(session, roster), ephemeral=True
        )

    @session.command(name="join", description="Join a session (or its waitlist when full).")
    @app_commands.describe(id="The session")
    @write_cooldown()
    async def join(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        await self.rsvp(interaction, id, join=True)

    @session.command(name="leave", description="Leave a session or its waitlist.")
    @app_commands.describe(id="The session")
    @write_cooldown()
    async def leave(self, interaction: discord.Interaction[NexusBot], id: int) -> None:
        await self.rsvp(interaction, id, join=False)

    @session.command(
        name="edit", description="Host or mentor: change a session.", extras={"audience": "host"}
    )
    @app_commands.describe(
        id="The session",
        title="New title (at most 100 characters)",
        when="New start, in your timezone",
        duration=f"New length in minutes ({DURATION_MIN}–{DURATION_MAX})",
        description="New description (at most 1,000 characters)",
        capacity="New number of places (1–500); waiters get freed places",
    )
    @write_cooldown()
    async def edit(
        self,
        interaction: discord.Interaction[NexusBot],
        id: int,
        title: str | None = None,
        when: str | None = None,
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX] | None = None,
        description: str | None = None,
        capacity: int | None = None,
    ) -> None:
        guild = guild_of(interaction)
        result = await self.bot.services.sessions.edit(
            id,
            guild.id,
            actor=actor_of(interaction),
            title=title,
            when=when,
            duration=duration,
            description=description,
            capacity=capacity,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await quietly(self.publisher.refresh(id), f"refresh of session {id}")
        if any(change.field == "title" for change in result.changes):
            await quietly(self.publisher.rename_thread(result.session), f"rename of session {id}")
        await self.mirror.sync_quietly(result.session)
        await self.publisher.notify_edit(result, interaction.user.id)
        await self.publisher.tell_promoted(result.promoted)
        await interaction.followup.send(
            embed=embeds.success(
                f"Session #{id} updated",
                "\n".join(render.change_lines(result.changes)) + "\nAttendees have been told.",
            ),
            ephemeral=True,
        )

    @session.command(
        name="cancel", description="Host or mentor: cancel a session.", extras={"audience": "host"}
    )
    @app_commands.describe(id="The session", reason="Why, for the attendees")
    @write_cooldown()
    async def cancel(
        self, interaction: discord.Interaction[NexusBot], id: int, reason: str | None = None
    ) -> None:
        guild = guild_of(interaction)
        session = await self.bot.services.sessions.cancel(
            id,
            guild.id,
            actor=actor_of(interaction),
            reason=reason,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await quietly(self.publisher.refresh(id), f"refresh of session {id}")
        await self.mirror.sync_quietly(session)
        await self.publisher.notify_cancel(session, interaction.user.id)
        await quietly(self.publisher.archive_thread(session), f"archive of session {id}")
        text = "Attendees have been told; its reminders are dropped."
        if session.repeat != "none":
            text += " This ends the series: no further occurrences will be created."
        await interaction.followup.send(
            embed=embeds.success(f"Session #{id} cancelled", text), ephemeral=True
        )

    @session.command(
        name="feed", description="A private calendar address of the sessions you joined."
    )
    @app_commands.describe(rotate="True: a new address, and the old one stops working")
    @write_cooldown(rate=5, per=60)
    async def feed(self, interaction: discord.Interaction[NexusBot], rotate: bool = False) -> None:
        guild = guild_of(interaction)
        address = await self.bot.services.feeds.address(
            guild.id, interaction.user.id, rotate=rotate
        )
        if address.url is None:
            since = embeds.when(address.since)
            embed = embeds.muted(strings.FEED_KEPT_TITLE, strings.FEED_KEPT.format(since=since))
        else:
            text = strings.FEED.format(url=address.url)
            if address.replaced:
                text += "\n\n" + strings.FEED_REPLACED
            embed = embeds.success(strings.FEED_TITLE, text)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @session.command(name="export", description="Your upcoming sessions as a calendar file.")
    async def export(self, interaction: discord.Interaction[NexusBot]) -> None:
        guild = guild_of(interaction)
        data, count = await self.bot.services.sessions.export(guild.id, interaction.user.id)
        if not count:
            await interaction.response.send_message(
                embed=embeds.info("Nothing to export", strings.EXPORT_EMPTY), ephemeral=True
            )
            return
        text = strings.EXPORT_DONE.format(count=markup.plural(count, "session"))
        await interaction.response.send_message(
            embed=embeds.success("Your sessions", text),
            file=discord.File(io.BytesIO(data), filename="nexus-sessions.ics"),
            ephemeral=True,
        )

    @session.command(name="notify", description="How you get session reminders.")
    @app_commands.describe(mode="channel: mentioned in the thread · dm: by DM · off: none")
    @write_cooldown()
    async def notify(
        self, interaction: discord.Interaction[NexusBot], mode: Literal["channel", "dm", "off"]
    ) -> None:
        chosen = await self.bot.services.sessions.set_notify(interaction.user.id, mode)
        await interaction.response.send_message(
            embed=embeds.success("Saved", strings.NOTIFY_SAVED[chosen]), ephemeral=True
        )

    @session.command(
        name="reminders",
        description="Admin: when reminders go out before sessions.",
        extras={"audience": "admin"},
    )
    @app_commands.describe(offsets="Before the start, e.g. 1d,1h,10m (default 1d,15m) or off")
    @admin_only()
    @write_cooldown(rate=3, per=60)
    async def reminders(self, interaction: discord.Interaction[NexusBot], offsets: str) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = await self.bot.services.sessions.set_offsets(guild.id, offsets)
        text = (
            "Reminders go out " + ", ".join(format_duration(o) for o in chosen) + " before start."
            if chosen
            else "Session reminders are off in this server."
        )
        await interaction.followup.send(
            embed=embeds.success("Reminder offsets saved", text), ephemeral=True
        )

    @info.autocomplete("id")
    @join.autocomplete("id")
    @leave.autocomplete("id")
    @edit.autocomplete("id")
    @cancel.autocomplete("id")
    async def session_choices(
        self, interaction: discord.Interaction[NexusBot], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        services = self.bot.services
        zone = (
            await services.preferences.effective_zone(interaction.user.id, interaction.guild_id)
        ).zone
        found = await services.sessions.suggest(
            interaction.guild_id, current, limit=limits.AUTOCOMPLETE_CHOICES
        )
        return [app_commands.Choice(name=render.choice_name(s, zone), value=s.id) for s in found]

    # -- Join / Leave -----------------------------------------------------------------

    async def rsvp(
        self, interaction: discord.Interaction[NexusBot], session_id: int, *, join: bool
    ) -> None:
        """The Join/Leave buttons and ``/session join|leave``. The user is answered as
        soon as the database has decided; the card is only marked stale (its refresher
        folds a burst of clicks into a few edits), and the thread and any promoted
        waiter are seen to after the answer. Joining adds the user to the session's
        thread; leaving does not take them out of it (that needs Manage Threads, and
        they may be in the conversation there): a leaver is no longer mentioned by
        reminders, and Discord's Leave Thread is one click."""
        sessions = self.bot.services.sessions
        user_id = interaction.user.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        if join:
            joined = await sessions.join(session_id, interaction.guild_id, user_id)
            title, text, neutral = render.joined_text(joined)
        else:
            left = await sessions.leave(session_id, interaction.guild_id, user_id)
            title, text, neutral = "You left", render.left_text(left), False
        self.publisher.cards.stale(session_id)
        embed = embeds.muted(title, text) if neutral else embeds.success(title, text)
        await interaction.followup.send(embed=embed, ephemeral=True)
        if join:
            thread_id = joined.session.thread_id
            if thread_id is not None:
                self.bot.thread_members.invite(joined.session.guild_id, thread_id, user_id)
        else:
            await self.publisher.tell_promoted(left.promoted)
