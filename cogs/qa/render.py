"""How Q&A things look in Discord: the opener, suggestions, solved/closed notes, lists.

User text (titles, questions, summaries) only ever goes into embeds, where mentions
never ping, and is escaped where it sits inside markdown links.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import discord

from bot.db.qa import Question
from bot.services.qa_rules import Ask
from bot.services.qa_search import SearchHit
from bot.ui import embeds, limits
from cogs.qa import strings


def thread_link(guild_id: int, thread_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{thread_id}"


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def mention(user_id: int | None) -> str:
    return strings.FORMER_MEMBER if user_id is None else f"<@{user_id}>"


def plain(text: str, limit: int) -> str:
    """User text made safe inside markdown (links, bold) and fitted to ``limit``."""
    escaped = discord.utils.escape_markdown(" ".join(text.split()))
    return limits.shorten(escaped.replace("[", "⟦").replace("]", "⟧"), limit)


def duration(seconds: float) -> str:
    hours = round(seconds / 3600)
    if hours >= 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def opener(ask: Ask, asker_id: int | None) -> tuple[str, discord.Embed]:
    """The first message of a question thread: who asked, the topic, the question and a
    short how-to-ask guide."""
    if asker_id is None:
        content = strings.OPENER_FORMER.format(topic=ask.topic)
    else:
        content = strings.OPENER_CONTENT.format(asker=mention(asker_id), topic=ask.topic)
    embed = embeds.info(ask.title, ask.body)
    embeds.add_field(embed, "Asked by", mention(asker_id), inline=True)
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
        link = thread_link(question.guild_id, question.thread_id)
        summary = plain(question.summary or "", 300)
        embeds.add_field(
            embed,
            limits.shorten(question.title, limits.EMBED_FIELD_NAME),
            f"✅ {summary}\n[Open the thread]({link})",
        )
    return embed


def posted(question: Question) -> discord.Embed:
    link = thread_link(question.guild_id, question.thread_id)
    return embeds.success(strings.POSTED_TITLE, strings.POSTED.format(link=link))


def solved(question: Question) -> tuple[str | None, discord.Embed, list[int]]:
    """The note posted when a question is solved, and whom it pings (the credited
    answerer, to thank them)."""
    answerer = question.answerer_id
    if answerer is None or answerer == question.asker_id:
        line = strings.SOLVED_SELF
    elif question.answer_message_id is not None:
        link = message_link(question.guild_id, question.thread_id, question.answer_message_id)
        line = strings.SOLVED_BY.format(answerer=mention(answerer), link=link)
    else:
        line = strings.SOLVED_NO_LINK.format(answerer=mention(answerer))
    embed = embeds.success(strings.SOLVED_TITLE, f"{line}\n> {question.summary or ''}")
    embed.set_footer(text=strings.SOLVED_FOOTER)
    if answerer is None or answerer == question.asker_id:
        return None, embed, []
    return strings.CREDIT.format(answerer=mention(answerer)), embed, [answerer]


def closed(question: Question) -> discord.Embed:
    reason = question.close_reason or "stale"
    original = (
        thread_link(question.guild_id, question.duplicate_of)
        if question.duplicate_of
        else "another question"
    )
    text = strings.CLOSE_REASONS[reason].format(original=original)
    embed = embeds.muted(strings.CLOSED_TITLE, text)
    embed.set_footer(text=strings.CLOSED_FOOTER)
    return embed


def reopened(who: int) -> discord.Embed:
    return embeds.info(strings.REOPENED_TITLE, strings.REOPENED.format(who=mention(who)))


def dormant(hours: float) -> discord.Embed:
    return embeds.muted(strings.DORMANT_TITLE, strings.DORMANT.format(hours=round(hours)))


def result_line(question: Question, *, now: datetime | None = None) -> str:
    link = thread_link(question.guild_id, question.thread_id)
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
        f"{medals.get(rank, f'`{rank}.`')} {mention(user)}: **{count}** solved"
        for rank, (user, count) in enumerate(rows, start=1)
    ]
    return embeds.info(title, "\n".join(lines))


def since(instant: datetime, now: datetime) -> str:
    return duration(max(timedelta(0), now - instant).total_seconds())
