"""Rendering pairing: suggestions, the request post, the kickoff, the check-in, status
and the round report."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import discord

from bot.db.pair_profiles import Profile
from bot.db.pair_requests import PairRequest
from bot.db.pairs import Pair
from bot.services.pairing.service import Status
from bot.services.pairing.terms import Kickoff, RoundReport, Suggestion
from bot.ui import embeds, limits, markup
from cogs.pairing import strings

LOOKING_FOR = {
    "project": "a project",
    "study-buddy": "a study buddy",
    "code-review": "code review",
    "any": "anything",
}


def suggestions(found: list[Suggestion]) -> discord.Embed:
    if not found:
        return embeds.muted(strings.FIND_TITLE, strings.FIND_NONE)
    embed = embeds.info(strings.FIND_TITLE)
    for rank, suggestion in enumerate(found, start=1):
        embeds.add_field(
            embed,
            f"#{rank} · score {suggestion.score}",
            f"{markup.user(suggestion.user_id)}\n"
            + "\n".join(f"• {r}" for r in suggestion.reasons),
        )
    embed.set_footer(text=strings.FIND_FOOTER)
    return embed


def request_post(request: PairRequest) -> str:
    lines = [
        strings.REQUEST_POST.format(
            target=markup.user(request.to_id), requester=markup.user(request.from_id)
        )
    ]
    if request.message:
        quoted = " ".join(request.message.split())
        lines.append(strings.REQUEST_MESSAGE.format(message=limits.shorten(quoted, 500)))
    lines.append(
        strings.REQUEST_EXPIRES.format(
            relative=embeds.timestamp(datetime.fromtimestamp(request.expires_at, UTC), "R"),
            target=markup.user(request.to_id),
        )
    )
    return "\n".join(lines)


def request_outcome(request: PairRequest, *, withdrawn: bool = False) -> str:
    """The request post once answered, expired or withdrawn (buttons gone)."""
    if withdrawn:
        return strings.WITHDRAWN
    target, requester = markup.user(request.to_id), markup.user(request.from_id)
    if request.status == "accepted":
        return strings.ACCEPTED.format(target=target, requester=requester)
    if request.status == "declined":
        return strings.DECLINED.format(target=target)
    return strings.EXPIRED


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def overlap_line(kickoff: Kickoff, zone: ZoneInfo) -> str:
    """The shared hours in one member's own time: ``Mon 18:00–20:00, Wed 19:00–21:30``."""
    parts = []
    for start, end in kickoff.overlap:
        a, b = _local(start, zone), _local(end, zone)
        if a.date() == b.date() or (b.hour, b.minute) == (0, 0):
            end_text = "24:00" if (b.hour, b.minute) == (0, 0) else f"{b:%H:%M}"
            parts.append(f"{a:%a %H:%M}–{end_text}")
        else:
            parts.append(f"{a:%a %H:%M}–{b:%a %H:%M}")
    return ", ".join(parts)


def kickoff(pair: Pair, kick: Kickoff) -> tuple[str, discord.Embed]:
    kind = "trio" if len(pair.members) == 3 else "partner"
    content = strings.THREAD_HELLO.format(
        members=" ".join(markup.user(m.user_id) for m in kick.members)
    )
    embed = embeds.info(
        strings.THREAD_INTRO_TITLE.format(kind=kind),
        "\n".join(
            strings.MEMBER_LINE.format(mention=markup.user(m.user_id), track=m.track)
            for m in kick.members
        ),
    )
    shared = ", ".join(kick.shared_skills) if kick.shared_skills else strings.NO_SHARED_SKILLS
    embeds.add_field(embed, strings.SHARED_SKILLS, shared)
    if not kick.hours_known:
        hours = strings.OVERLAP_UNKNOWN
    elif not kick.overlap:
        hours = strings.OVERLAP_NONE
    else:
        hours = "\n".join(
            f"{markup.user(m.user_id)} ({m.zone}): {overlap_line(kick, ZoneInfo(m.zone))}"
            for m in kick.members
        )
    embeds.add_field(embed, strings.OVERLAP, hours)
    if kick.reasons:
        embeds.add_field(embed, strings.WHY, "\n".join(f"• {r}" for r in kick.reasons))
    embeds.add_field(embed, strings.CHECKLIST_TITLE, strings.CHECKLIST)
    return content, embed


def checkin(pair: Pair) -> str:
    return strings.CHECKIN.format(members=" ".join(markup.user(m) for m in pair.members))


def status(found: Status, *, now: datetime) -> discord.Embed:
    profile = found.profile
    if profile is None:
        description = strings.STATUS_NO_PROFILE
    else:
        description = strings.STATUS_PROFILE.format(
            track=profile.track,
            skills=", ".join(profile.skills) or "no skills listed",
            looking_for=LOOKING_FOR[profile.looking_for],
        )
        if not profile.available:
            description += "\n" + strings.STATUS_UNAVAILABLE
        elif profile.snoozed_until and profile.snoozed_until > now.timestamp():
            until = datetime.fromtimestamp(profile.snoozed_until, UTC)
            description += "\n" + strings.STATUS_SNOOZED.format(until=embeds.timestamp(until, "D"))
    embed = embeds.info(strings.STATUS_TITLE, description)
    partners = [
        "Pair with "
        + ", ".join(markup.user(m) for m in pair.members if m != found.user_id)
        + (f" · <#{pair.thread_id}>" if pair.thread_id else "")
        for pair in found.partners
    ]
    embeds.add_field(embed, strings.PARTNERS, "\n".join(partners) or strings.NO_PARTNERS)
    embeds.add_field(
        embed,
        strings.SENT,
        "\n".join(f"to {markup.user(r.to_id)}" for r in found.sent) or strings.NONE,
    )
    embeds.add_field(
        embed,
        strings.RECEIVED,
        "\n".join(_received(r) for r in found.received) or strings.NONE,
    )
    if found.stats:
        embeds.add_field(
            embed,
            strings.STATS,
            strings.STATS_LINE.format(
                met=found.stats.get("met", 0),
                not_yet=found.stats.get("not_yet", 0),
                didnt_work=found.stats.get("didnt_work", 0),
            ),
        )
    return embed


def _received(request: PairRequest) -> str:
    line = f"from {markup.user(request.from_id)}"
    if request.channel_id and request.message_id:
        url = markup.jump_url(request.guild_id, request.channel_id, request.message_id)
        line += f" · [answer it]({url})"
    return line


def profile_line(profile: Profile) -> str:
    """A profile as its owner sees it saved."""
    lines = [
        strings.STATUS_PROFILE.format(
            track=profile.track,
            skills=", ".join(profile.skills) or "no skills listed",
            looking_for=LOOKING_FOR[profile.looking_for],
        )
    ]
    if profile.availability:
        lines.append(f"Hours ({profile.zone}): {profile.availability}")
    if profile.bio:
        lines.append(f"> {profile.bio}")
    return "\n".join(lines)


def round_report(report: RoundReport) -> discord.Embed:
    if report.learners == 0 or (not report.pairs and not report.unpaired):
        return embeds.muted(strings.ROUND_TITLE.format(id=report.round_id), strings.ROUND_EMPTY)
    trios = sum(1 for p in report.pairs if len(p.members) == 3)
    embed = embeds.success(
        strings.ROUND_TITLE.format(id=report.round_id),
        strings.ROUND_SUMMARY.format(
            pairs=markup.plural(len(report.pairs) - trios, "pair"),
            trios=markup.plural(trios, "trio"),
            learners=markup.plural(report.learners, "available learner"),
            total=report.total_score,
            shuffle=report.shuffle_score,
        ),
    )
    if report.unpaired:
        lines = [
            f"{markup.user(user)}: {strings.UNPAIRED_REASONS.get(reason, reason)}"
            for user, reason in report.unpaired
        ]
        for block in limits.pack_lines(lines, limits.EMBED_FIELD_VALUE)[:3]:
            embeds.add_field(embed, strings.UNPAIRED, block)
    return embed
