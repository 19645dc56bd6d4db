"""Rendering sessions: the card, the list, the info view, change lists, choice names."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.calendar_export import google_calendar_url
from bot.db.session_rsvps import Roster
from bot.db.sessions import Session, SessionSummary
from bot.services.sessions.rules import Change, JoinResult, LeaveResult, ReminderSetup
from bot.time.durations import format_duration
from bot.ui import embeds, limits, markup
from cogs.sessions import strings
from cogs.sessions.views import JoinButton, LeaveButton

SHOWN_ATTENDEES = 20
FIELD = limits.EMBED_FIELD_VALUE
# How many names of each list a card reads: more than fit in its field, whatever the
# ids' length (a mention is at least 20 characters with a real snowflake, plus ", ").
CARD_NAMES = FIELD // 20 + 1
# /session info lists people in numbered lines until the embed is full.
INFO_NAMES = limits.EMBED_TOTAL // 20 + 1


def duration_text(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def capacity_text(going: int, capacity: int | None) -> str:
    return f"{going}/{capacity}" if capacity is not None else f"{going}"


def is_full(session: Session, roster: Roster) -> bool:
    return session.capacity is not None and roster.going_count >= session.capacity


def going_name(session: Session, roster: Roster) -> str:
    """``Going (host + 3/10)``: the host goes without taking one of the places."""
    places = capacity_text(roster.going_count, session.capacity)
    return f"Going (host + {places})" if session.host_id else f"Going ({places})"


def going_entries(session: Session, roster: Roster) -> list[str]:
    host = [strings.HOST_MARK.format(host=markup.user(session.host_id))] if session.host_id else []
    return host + [markup.user(uid) for uid in roster.going]


def fitted(
    entries: list[str], *, total: int | None = None, shown: int | None = None, width: int = FIELD
) -> str:
    """``entries`` (the first of ``total``) joined by commas, as many as fit in ``width``
    characters (and at most ``shown``), then "+N more" for the rest."""
    total = len(entries) if total is None else total
    limit = len(entries) if shown is None else min(shown, len(entries))
    taken, length = 0, 0
    for entry in entries[:limit]:
        grown = length + (2 if taken else 0) + len(entry)
        left = total - taken - 1
        if grown + (len(f" +{left} more") if left else 0) > width:
            break
        taken, length = taken + 1, grown
    extra = total - taken
    text = ", ".join(entries[:taken])
    return f"{text} +{extra} more".lstrip() if extra else text


def card_embed(session: Session, roster: Roster) -> discord.Embed:
    embed = _head_embed(session)
    going = going_entries(session, roster)
    nobody = strings.NOBODY_YET if session.is_open else strings.NOBODY
    embeds.add_field(
        embed,
        going_name(session, roster),
        fitted(
            going,
            total=roster.going_count + (session.host_id is not None),
            shown=SHOWN_ATTENDEES + (session.host_id is not None),
        )
        or nobody,
    )
    if roster.waiting_count:
        waiting = [markup.user(uid) for uid in roster.waitlist]
        total = roster.waiting_count
        embeds.add_field(embed, f"Waitlist ({total})", fitted(waiting, total=total))
    return _with_tail(embed, session)


def _head_embed(session: Session) -> discord.Embed:
    """A card's title, description and the fields above its lists."""
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
    if session.host_id is None:
        embeds.add_field(embed, "Host", markup.user(None), inline=True)
    if session.topic:
        embeds.add_field(embed, "Topic", session.topic, inline=True)
    if session.repeat in strings.SERIES:
        embeds.add_field(embed, "Repeats", strings.SERIES[session.repeat], inline=True)
    if session.voice_channel_id:
        embeds.add_field(embed, "Voice", f"<#{session.voice_channel_id}>", inline=True)
    return embed


def _with_tail(embed: discord.Embed, session: Session) -> discord.Embed:
    """A cancelled card's reason under the lists, and the footer."""
    if session.status == "cancelled" and session.cancel_reason:
        embeds.add_field(embed, "Reason", session.cancel_reason)
    footer = strings.CARD_FOOTER if session.is_open else strings.CARD_FOOTER_CLOSED
    embed.set_footer(text=footer.format(id=session.id))
    return embed


def card_view(session: Session, roster: Roster) -> discord.ui.View | None:
    """While the session is open: **Join** (**Join waitlist** when full) and **Leave**;
    before the start, **Add to Google Calendar**; while live, its voice channel. No
    buttons once it is over."""
    if not session.is_open:
        return None
    view = discord.ui.View(timeout=None)
    join = JoinButton(session.id)
    if is_full(session, roster):
        join.item.label = strings.JOIN_WAITLIST_LABEL
        join.item.style = discord.ButtonStyle.primary
    view.add_item(join)
    view.add_item(LeaveButton(session.id))
    if session.status == "live" and session.voice_channel_id:
        voice = markup.jump_url(session.guild_id, session.voice_channel_id)
        view.add_item(discord.ui.Button(label=strings.VOICE_LABEL, url=voice))
    if session.status == "scheduled":
        calendar = google_calendar_url(session)
        view.add_item(discord.ui.Button(label=strings.CALENDAR_LABEL, url=calendar))
    return view


def info_embed(session: Session, roster: Roster) -> discord.Embed:
    """The card's fields, then everyone going and waiting in numbered lines, in order,
    until the embed is full."""
    embed = _with_tail(_head_embed(session), session)
    room = limits.EMBED_TOTAL - len(embed)
    lines = _numbered(roster.going, room)
    if session.host_id:
        lines.insert(0, strings.HOST_MARK.format(host=markup.user(session.host_id)))
    _add_blocks(embed, going_name(session, roster), lines or [strings.NOBODY_YET])
    if roster.waiting_count:
        waiting = _numbered(roster.waitlist, limits.EMBED_TOTAL - len(embed))
        _add_blocks(embed, f"Waitlist ({roster.waiting_count})", waiting)
    if session.card_url:
        embed.url = session.card_url
    return embed


def _numbered(user_ids: list[int], room: int) -> list[str]:
    """``1. <@id>`` lines, only as many as could reach the embed: those in ``room``
    characters and one field's worth more (so the last block packs as it would whole)."""
    lines: list[str] = []
    room += limits.EMBED_FIELD_VALUE
    for n, uid in enumerate(user_ids, start=1):
        if room <= 0:
            break
        lines.append(f"{n}. {markup.user(uid)}")
        room -= len(lines[-1]) + 1
    return lines


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
        details = [embeds.when_short(s.start), f"{capacity_text(item.going, s.capacity)} going"]
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


def hosting_line(session: Session) -> str:
    """What a new session's host is told about their own place."""
    if session.capacity is None:
        return strings.CREATED_HOST
    places = markup.plural(session.capacity, "place")
    return strings.CREATED_HOST_PLACES.format(places=places)


def and_list(items: list[str]) -> str:
    """Items in a sentence: a; a and b; a, b and c."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def reminders_line(setup: ReminderSetup) -> str:
    if setup.server_off:
        return strings.REMINDERS_SERVER_OFF
    if setup.mode == "off":
        return strings.REMINDERS_OFF
    if not setup.offsets:
        return strings.REMINDERS_NONE_LEFT
    offsets = and_list([format_duration(o) for o in setup.offsets])
    return strings.REMINDERS.format(offsets=offsets, where=strings.REMINDERS_WHERE[setup.mode])


def joined_text(result: JoinResult) -> tuple[str, str, bool]:
    """The answer to Join: its title, its text, and whether it is neutral (nothing
    changed: already on it, or the host)."""
    session = result.session
    title = session.title
    if result.status == "waitlist":
        template = strings.WAITLISTED_ALREADY if result.already else strings.WAITLISTED
        text = template.format(title=title, place=result.place_in_line)
        return "You're on the waitlist", text, result.already
    live = session.status == "live"
    when = strings.ON_NOW.format(end=embeds.timestamp(session.end, "t")) if live else None
    when = when or embeds.when(session.start)
    if result.status == "host":
        heading, template = "You're hosting", strings.HOSTING
    else:
        heading = "You're going"
        template = strings.JOINED_ALREADY if result.already else strings.JOINED
    lines = [template.format(title=title, when=when)]
    if session.voice_channel_id:
        lines.append(strings.VOICE_AT.format(voice=session.voice_channel_id))
    if not live:
        lines.append(reminders_line(result.reminders))
    return heading, "\n".join(lines), result.already


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
