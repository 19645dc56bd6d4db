"""Rendering sessions: the card, the list, the info view, change lists, choice names."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.db.session_rsvps import Roster
from bot.db.sessions import Session, SessionSummary
from bot.services.sessions.rules import Change, JoinResult, LeaveResult
from bot.time.durations import format_duration
from bot.ui import embeds, limits, markup
from cogs.sessions import strings
from cogs.sessions.views import JoinButton, LeaveButton

SHOWN_ATTENDEES = 20


def duration_text(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def host_text(session: Session) -> str:
    return markup.user(session.host_id)


def capacity_text(going: int, capacity: int | None) -> str:
    return f"{going}/{capacity}" if capacity is not None else f"{going}"


def card_embed(session: Session, roster: Roster) -> discord.Embed:
    title = session.title
    if session.status == "live":
        embed = embeds.success(f"{strings.LIVE} · {title}", session.description)
    elif session.status == "ended":
        embed = embeds.muted(f"{strings.ENDED} · {title}", session.description)
    elif session.status == "cancelled":
        embed = embeds.muted(f"{strings.CANCELLED} · {title}", session.description)
    else:
        embed = embeds.info(title, session.description)
    when = embeds.when(session.start)
    if session.status == "ended":
        when = f"{embeds.timestamp(session.start)}, ended {embeds.timestamp(session.end, 'R')}"
    embeds.add_field(embed, "When", when)
    embeds.add_field(embed, "Duration", duration_text(session.duration_min), inline=True)
    embeds.add_field(embed, "Host", host_text(session), inline=True)
    if session.topic:
        embeds.add_field(embed, "Topic", session.topic, inline=True)
    if session.repeat in strings.SERIES:
        embeds.add_field(embed, "Repeats", strings.SERIES[session.repeat], inline=True)
    if session.voice_channel_id:
        embeds.add_field(embed, "Voice", f"<#{session.voice_channel_id}>", inline=True)
    going = capacity_text(len(roster.going), session.capacity)
    embeds.add_field(
        embed,
        f"Going ({going})",
        markup.users(roster.going, SHOWN_ATTENDEES) if roster.going else strings.NOBODY_YET,
    )
    if roster.waitlist:
        embeds.add_field(embed, "Waitlist", f"{len(roster.waitlist)} waiting", inline=True)
    if session.status == "cancelled" and session.cancel_reason:
        embeds.add_field(embed, "Reason", session.cancel_reason)
    embed.set_footer(text=strings.CARD_FOOTER.format(id=session.id))
    return embed


def card_view(session: Session) -> discord.ui.View | None:
    """Join and Leave while the session is open; no buttons once it is over."""
    if not session.is_open:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(JoinButton(session.id))
    view.add_item(LeaveButton(session.id))
    return view


def info_embed(session: Session, roster: Roster) -> discord.Embed:
    embed = card_embed(session, roster)
    # Replace the short attendee field with everyone, in order.
    for index, field in enumerate(embed.fields):
        if field.name and field.name.startswith("Going"):
            embed.remove_field(index)
            break
    lines = [f"{n}. <@{uid}>" for n, uid in enumerate(roster.going, start=1)]
    going = capacity_text(len(roster.going), session.capacity)
    _add_blocks(embed, f"Going ({going})", lines or [strings.NOBODY_YET])
    if roster.waitlist:
        waiting = [f"{n}. <@{uid}>" for n, uid in enumerate(roster.waitlist, start=1)]
        _add_blocks(embed, f"Waitlist ({len(roster.waitlist)})", waiting)
    if session.card_url:
        embed.url = session.card_url
    return embed


def _add_blocks(embed: discord.Embed, name: str, lines: list[str]) -> None:
    for part, block in enumerate(limits.pack_lines(lines, limits.EMBED_FIELD_VALUE)):
        if not embeds.add_field(embed, name if part == 0 else f"{name} (cont.)", block):
            break


def list_embed(page: list[SessionSummary], *, total: int, offset: int, mine: bool) -> discord.Embed:
    title = "Your upcoming sessions" if mine else "Upcoming sessions"
    if not page:
        return embeds.info(title, strings.NO_SESSIONS_MINE if mine else strings.NO_SESSIONS)
    embed = embeds.info(f"{title} ({total})")
    for item in page:
        s = item.session
        live = f" · {strings.LIVE}" if s.status == "live" else ""
        details = [embeds.when(s.start), f"{capacity_text(item.going, s.capacity)} going"]
        if item.waiting:
            details[-1] += f" · {item.waiting} waiting"
        if s.topic:
            details[-1] += f" · {s.topic}"
        if s.card_url:
            details.append(f"[Card]({s.card_url})")
        embeds.add_field(embed, f"#{s.id} · {s.title}{live}", "\n".join(details))
    shown_to = offset + len(page)
    more = total - shown_to
    footer = f"{offset + 1}–{shown_to} of {total}"
    if more > 0:
        footer += f" · {more} more"
    embed.set_footer(text=footer + " · /session info id for details")
    return embed


def change_lines(changes: list[Change]) -> list[str]:
    lines = []
    for change in changes:
        before, after = _value(change.field, change.before), _value(change.field, change.after)
        lines.append(f"• {change.field.capitalize()}: {before} → {after}")
    return lines


def _value(field: str, value: object) -> str:
    if value is None:
        return "none" if field != "capacity" else "no limit"
    if isinstance(value, datetime):
        return embeds.timestamp(value)
    if field == "duration" and isinstance(value, int):
        return duration_text(value)
    if field == "description":
        return f"“{limits.shorten(str(value), 80)}”"
    return str(value)


def choice_name(session: Session, zone: ZoneInfo) -> str:
    local = session.start.astimezone(zone)
    return limits.shorten(
        f"#{session.id} · {local:%a %d %b %H:%M} · {session.title}", limits.CHOICE_NAME
    )


def joined_text(result: JoinResult) -> tuple[str, str]:
    title = result.session.title
    if result.status == "going":
        template = strings.JOINED_ALREADY if result.already else strings.JOINED
        return "You're going", template.format(title=title)
    template = strings.WAITLISTED_ALREADY if result.already else strings.WAITLISTED
    return "You're on the waitlist", template.format(title=title, place=result.place_in_line)


def left_text(result: LeaveResult) -> str:
    template = strings.LEFT if result.was == "going" else strings.LEFT_WAITLIST
    return template.format(title=result.session.title)


def event_fields(session: Session, voice: object) -> dict[str, Any]:
    """The scheduled event's fields for a session (``voice``: its channel, if known)."""
    description = session.description or (f"Topic: {session.topic}" if session.topic else "")
    wanted: dict[str, Any] = {
        "name": session.title,
        "description": limits.shorten(description, limits.EVENT_DESCRIPTION),
        "end_time": session.end,
    }
    if isinstance(voice, discord.StageChannel):
        wanted |= {"entity_type": discord.EntityType.stage_instance, "channel": voice}
    elif isinstance(voice, discord.VoiceChannel):
        wanted |= {"entity_type": discord.EntityType.voice, "channel": voice}
    else:
        where = session.card_url or "Discord"
        if session.thread_id:
            where = markup.jump_url(session.guild_id, session.thread_id)
        wanted |= {"entity_type": discord.EntityType.external, "location": where}
    return wanted
