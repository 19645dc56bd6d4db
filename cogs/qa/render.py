"""How Q&A things look in Discord: the opener, suggestions, solved/closed notes, lists.

The question itself is the opener's message text, as its asker wrote it (sent with no
mention allowed, so it pings nobody). Other user text (titles, summaries) goes into
embeds, escaped where it sits inside markdown links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

import discord

from bot.db.qa import Question
from bot.services.qa.rules import Adopted, Ask, HelpCall
from bot.services.qa.search import SearchHit
from bot.time.durations import format_duration
from bot.ui import embeds, limits, markup
from cogs.qa import strings

# Whatever discord.py's escape_markdown escapes holds one of these characters (a link
# it finds, it leaves as it is); a text without any (most titles and summaries) comes
# back unchanged, and a search's ten results no longer pay for its regex on each.
_MARKDOWN_CHARS = re.compile(r"[_\\~|*`>\[#\-]")


def plain(text: str, limit: int) -> str:
    """User text made safe inside markdown (links, bold) and fitted to ``limit``."""
    words = " ".join(text.split())
    escaped = discord.utils.escape_markdown(words) if _MARKDOWN_CHARS.search(words) else words
    return limits.shorten(escaped.replace("[", "⟦").replace("]", "⟧"), limit)


def opener(ask: Ask, asker_id: int | None) -> str:
    """The first message of an /ask thread: a header (topic, asker), the question as
    written, and a one-line footer on what to do next."""
    asker = strings.FORMER_MEMBER if asker_id is None else markup.user(asker_id)
    body = ask.body
    if body.count("```") % 2:
        body += "\n```"  # an unclosed code block would swallow the footer
    header = strings.OPENER_HEADER.format(topic=ask.topic, asker=asker)
    return f"{header}\n{body}\n{strings.OPENER_FOOTER}"


def opener_of(question: Question) -> str:
    return opener(Ask(question.topic, question.title, question.body), question.asker_id)


def similar(
    hits: list[SearchHit],
    intro: str = strings.SIMILAR_INTRO,
    pages: Mapping[int, str] | None = None,
) -> discord.Embed:
    """``pages``: the web page of each question that has one (its server is on the web)."""
    embed = embeds.info(strings.SIMILAR_TITLE, intro)
    for hit in hits:
        question = hit.question
        link = markup.jump_url(question.guild_id, question.thread_id)
        summary = plain(question.summary or "", 300)
        links = f"[Open the thread]({link})"
        page = (pages or {}).get(question.id)
        if page:
            links += f" · [{strings.WEB_PAGE}]({page})"
        embeds.add_field(
            embed,
            limits.shorten(question.title, limits.EMBED_FIELD_NAME),
            f"✅ {summary}\n{links}",
        )
    return embed


def posted(question: Question) -> discord.Embed:
    link = markup.jump_url(question.guild_id, question.thread_id)
    return embeds.success(strings.POSTED_TITLE, strings.POSTED.format(link=link))


def forum_hint(
    adopted: Adopted, pages: Mapping[int, str] | None = None
) -> tuple[str, discord.Embed | None]:
    """The bot's one reply in a post a member opened in the Q&A forum."""
    content = strings.FORUM_HINT.format(topic=adopted.question.topic)
    if not adopted.similar:
        return content, None
    return content, similar(adopted.similar, strings.FORUM_SIMILAR_INTRO, pages)


def solved(question: Question) -> tuple[str | None, discord.Embed, list[int]]:
    """The note posted when a question is solved, and whom it pings: the credited
    answerer, once, in the text (the embed carries the link and the summary)."""
    answerer = question.answerer_id
    credited = answerer is not None and answerer != question.asker_id
    if credited and question.answer_message_id is not None:
        link = markup.jump_url(question.guild_id, question.thread_id, question.answer_message_id)
        line = strings.SOLVED_LINK.format(link=link) + "\n"
    else:
        line = "" if credited else strings.SOLVED_SELF + "\n"
    embed = embeds.success(strings.SOLVED_TITLE, f"{line}> {question.summary or ''}")
    embed.set_footer(text=strings.SOLVED_FOOTER)
    if answerer is None or not credited:
        return None, embed, []
    return strings.CREDIT.format(answerer=markup.user(answerer)), embed, [answerer]


def closed(question: Question) -> discord.Embed:
    reason = question.close_reason or "stale"
    original = (
        markup.jump_url(question.guild_id, question.duplicate_of)
        if question.duplicate_of
        else "another question"
    )
    text = strings.CLOSE_REASONS[reason].format(original=original)
    embed = embeds.muted(strings.CLOSED_TITLE, text)
    embed.set_footer(text=strings.CLOSED_FOOTER)
    return embed


def reopened(who: int) -> discord.Embed:
    return embeds.info(strings.REOPENED_TITLE, strings.REOPENED.format(who=markup.user(who)))


def dormant_check(asker_id: int, waited: timedelta, closes: datetime) -> str:
    """Asking the asker of a question nobody replied to before closing it."""
    return strings.DORMANT_CHECK.format(
        asker=markup.user(asker_id),
        waited=format_duration(waited, approximate=True),
        closes=embeds.timestamp(closes, "R"),
    )


def help_call(call: HelpCall, asker_id: int) -> str:
    """The new message after **Still need help**: the helpers it pings, then the ask."""
    pings = [markup.user(user) for user in call.user_ids]
    if call.role_id is not None:
        pings.append(f"<@&{call.role_id}>")
    return strings.STILL_NEEDS_HELP.format(
        mentions="".join(f"{ping} " for ping in pings),
        asker=markup.user(asker_id),
        topic=call.question.topic,
    )


def dormant(after: timedelta) -> discord.Embed:
    return embeds.muted(
        strings.DORMANT_TITLE,
        strings.DORMANT.format(waited=format_duration(after, approximate=True)),
    )


def result_line(question: Question, *, now: datetime | None = None, page: str | None = None) -> str:
    link = markup.jump_url(question.guild_id, question.thread_id)
    status = strings.STATUS_ICONS.get(question.status, question.status)
    line = f"**[{plain(question.title, 110)}]({link})**\n{status} · {question.topic}"
    if page:
        line += f" · [{strings.WEB_PAGE}]({page})"
    if now is not None:
        line += f" · asked {embeds.timestamp(question.asked, 'R')}"
    if question.status == "open" and question.needs_help_at is not None:
        line += f" · {strings.STILL_OPEN}"
    if question.status == "solved" and question.summary:
        line += f"\n> {plain(question.summary, 160)}"
    return line


def search_results(
    query: str, hits: list[SearchHit], pages: Mapping[int, str] | None = None
) -> discord.Embed:
    title = strings.SEARCH_TITLE.format(query=" ".join(query.split()))
    if not hits:
        return embeds.muted(limits.shorten(title, limits.EMBED_TITLE), strings.SEARCH_NONE)
    lines = [result_line(hit.question, page=(pages or {}).get(hit.question.id)) for hit in hits]
    body = limits.pack_lines(lines, limits.EMBED_DESCRIPTION)[0]
    return embeds.info(limits.shorten(title, limits.EMBED_TITLE), body)


def unanswered(questions: list[Question], total: int, now: datetime) -> discord.Embed:
    if not questions:
        return embeds.success(strings.UNANSWERED_TITLE, strings.UNANSWERED_NONE)
    lines = [result_line(question, now=now) for question in questions]
    if total > len(questions):
        lines.append(strings.UNANSWERED_MORE.format(more=total - len(questions)))
    body = limits.pack_lines(lines, limits.EMBED_DESCRIPTION)[0]
    return embeds.info(f"{strings.UNANSWERED_TITLE} ({total})", body)


def leaderboard(rows: list[tuple[int, int]], period: str) -> discord.Embed:
    title = strings.LEADERBOARD_TITLE.format(period=strings.PERIOD_NAMES.get(period, period))
    if not rows:
        return embeds.muted(title, strings.LEADERBOARD_NONE)
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [
        f"{medals.get(rank, f'`{rank}.`')} {markup.user(user)}: **{count}** solved"
        for rank, (user, count) in enumerate(rows, start=1)
    ]
    return embeds.info(title, "\n".join(lines))
