"""How Q&A things look in Discord: the opener, suggestions, solved/closed notes, lists.

User text (titles, questions, summaries) only ever goes into embeds, where mentions
never ping, and is escaped where it sits inside markdown links.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import discord

from bot.db.qa import Question
from bot.services.qa.rules import Ask
from bot.services.qa.search import SearchHit
from bot.time.durations import format_duration
from bot.ui import embeds, limits, markup
from cogs.qa import strings


def plain(text: str, limit: int) -> str:
    """User text made safe inside markdown (links, bold) and fitted to ``limit``."""
    escaped = discord.utils.escape_markdown(" ".join(text.split()))
    return limits.shorten(escaped.replace("[", "⟦").replace("]", "⟧"), limit)


def opener(ask: Ask, asker_id: int | None) -> tuple[str, discord.Embed]:
    """The first message of a question thread: who asked, the topic, the question and a
    short how-to-ask guide."""
    if asker_id is None:
        content = strings.OPENER_FORMER.format(topic=ask.topic)
    else:
        content = strings.OPENER_CONTENT.format(asker=markup.user(asker_id), topic=ask.topic)
    embed = embeds.info(ask.title, ask.body)
    embeds.add_field(embed, "Asked by", markup.user(asker_id), inline=True)
    embeds.add_field(embed, "Topic", ask.topic, inline=True)
    embeds.add_field(embed, strings.GUIDE_TITLE, strings.GUIDE)
    embed.set_footer(text=strings.OPENER_FOOTER)
    return content, embed


def opener_of(question: Question) -> tuple[str, discord.Embed]:
    return opener(Ask(question.topic, question.title, question.body), question.asker_id)


def similar(hits: list[SearchHit]) -> discord.Embed:
    embed = embeds.info(strings.SIMILAR_TITLE, strings.SIMILAR_INTRO)
    for hit in hits:
        question = hit.question
        link = markup.jump_url(question.guild_id, question.thread_id)
        summary = plain(question.summary or "", 300)
        embeds.add_field(
            embed,
            limits.shorten(question.title, limits.EMBED_FIELD_NAME),
            f"✅ {summary}\n[Open the thread]({link})",
        )
    return embed


def posted(question: Question) -> discord.Embed:
    link = markup.jump_url(question.guild_id, question.thread_id)
    return embeds.success(strings.POSTED_TITLE, strings.POSTED.format(link=link))


def solved(question: Question) -> tuple[str | None, discord.Embed, list[int]]:
    """The note posted when a question is solved, and whom it pings (the credited
    answerer, to thank them)."""
    answerer = question.answerer_id
    if answerer is None or answerer == question.asker_id:
        line = strings.SOLVED_SELF
    elif question.answer_message_id is not None:
        link = markup.jump_url(question.guild_id, question.thread_id, question.answer_message_id)
        line = strings.SOLVED_BY.format(answerer=markup.user(answerer), link=link)
    else:
        line = strings.SOLVED_NO_LINK.format(answerer=markup.user(answerer))
    embed = embeds.success(strings.SOLVED_TITLE, f"{line}\n> {question.summary or ''}")
    embed.set_footer(text=strings.SOLVED_FOOTER)
    if answerer is None or answerer == question.asker_id:
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


def dormant(after: timedelta) -> discord.Embed:
    return embeds.muted(
        strings.DORMANT_TITLE,
        strings.DORMANT.format(waited=format_duration(after, approximate=True)),
    )


def result_line(question: Question, *, now: datetime | None = None) -> str:
    link = markup.jump_url(question.guild_id, question.thread_id)
    status = strings.STATUS_ICONS.get(question.status, question.status)
    line = f"**[{plain(question.title, 110)}]({link})**\n{status} · {question.topic}"
    if now is not None:
        line += f" · asked {embeds.timestamp(question.asked, 'R')}"
    if question.status == "solved" and question.summary:
        line += f"\n> {plain(question.summary, 160)}"
    return line


def search_results(query: str, hits: list[SearchHit]) -> discord.Embed:
    title = strings.SEARCH_TITLE.format(query=" ".join(query.split()))
    if not hits:
        return embeds.muted(limits.shorten(title, limits.EMBED_TITLE), strings.SEARCH_NONE)
    lines = [result_line(hit.question) for hit in hits]
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
