"""Rendering announcements: the posted embed, the preview, the list with its audit."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.db.announcements import Announcement, AuditEntry
from bot.services.announcements.digest import Digest
from bot.ui import embeds, limits, markup
from cogs.announcements import strings


def announcement(a: Announcement) -> discord.Embed:
    """The posted embed, signed with its author."""
    embed = embeds.info(a.title, a.body)
    embed.set_footer(text=strings.SIGNATURE.format(author=a.author_name))
    return embed


def ping_text(a: Announcement) -> str | None:
    """The mention line that pings the chosen role (or everyone)."""
    if a.ping_role_id is None:
        return None
    return "@everyone" if a.pings_everyone else f"<@&{a.ping_role_id}>"


def preview(a: Announcement, refusal: str | None) -> tuple[str, discord.Embed]:
    lines = [strings.PREVIEW]
    ping = ping_text(a)
    lines.append(strings.PREVIEW_PING.format(ping=ping) if ping else strings.PREVIEW_NO_PING)
    if a.due is not None:
        lines.append(
            strings.PREVIEW_WHEN.format(when=embeds.when(a.due), repeat=strings.REPEATS[a.repeat])
        )
    else:
        lines.append(strings.PREVIEW_NOW.format(channel=f"<#{a.channel_id}>"))
    if refusal:
        lines.append(f"⚠️ {refusal}")
    return "\n".join(lines), announcement(a)


def _line(a: Announcement) -> str:
    when = f" · {embeds.timestamp(a.due, 'f')}" if a.due else ""
    repeat = f" · {a.repeat}" if a.repeat != "none" else ""
    title = limits.shorten(a.title, 80)
    return f"`#{a.id}` **{title}** · {a.status}{when}{repeat} · <#{a.channel_id}>"


def _audit(entry: AuditEntry) -> str:
    who = markup.user(entry.actor_id) if entry.actor_id else strings.THE_BOT
    detail = f" ({entry.detail})" if entry.detail else ""
    when = embeds.timestamp(datetime.fromtimestamp(entry.at, UTC), "R")
    return "-# " + strings.AUDIT_LINE.format(when=when, action=entry.action, who=who, detail=detail)


def listing(found: list[Announcement], trail: list[AuditEntry]) -> discord.Embed:
    if not found:
        return embeds.muted(strings.LIST_TITLE, strings.LIST_EMPTY)
    embed = embeds.info(strings.LIST_TITLE)
    by_id: dict[int, list[AuditEntry]] = {}
    for entry in trail:
        by_id.setdefault(entry.announcement_id, []).append(entry)
    for name, chosen in (
        (strings.SCHEDULED_FIELD, [a for a in found if a.status == "scheduled"]),
        (strings.RECENT_FIELD, [a for a in found if a.status != "scheduled"]),
    ):
        blocks = [
            "\n".join([_line(a), *(_audit(e) for e in by_id.get(a.id, [])[-3:])]) for a in chosen
        ]
        for part in limits.pack_lines(blocks, limits.EMBED_FIELD_VALUE):
            if not embeds.add_field(embed, name, part):
                break
    return embed


def digest(d: Digest) -> discord.Embed:
    """The weekly digest: one field per section (already fitted to Discord's limits)."""
    embed = embeds.info(d.title, d.period)
    for section in d.sections:
        embeds.add_field(embed, section.title, section.value)
    return embed
