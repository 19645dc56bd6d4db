"""The delivered reminder as its owner reads it: what, where and when it was set, and
what became of it (snoozed, done)."""

from __future__ import annotations

from bot.db.reminders import Reminder
from bot.ui import markup
from cogs.remind import strings


def context(reminder: Reminder) -> str:
    """Where and when it was set: a link back to the channel, and a timestamp."""
    return strings.CONTEXT.format(
        set_at=markup.timestamp(reminder.created, "f"),
        where=markup.jump_url(reminder.guild_id, reminder.channel_id),
    )


def delivered(reminder: Reminder, *, late: bool) -> str:
    lines = [strings.DELIVERED.format(what=reminder.text), context(reminder)]
    if late:
        lines.append(strings.LATE.format(relative=markup.timestamp(reminder.due, "R")))
    return "\n".join(lines)


def snoozed(reminder: Reminder) -> str:
    until = strings.SNOOZED.format(
        until=markup.timestamp(reminder.due, "t"), relative=markup.timestamp(reminder.due, "R")
    )
    return "\n".join((strings.DELIVERED.format(what=reminder.text), context(reminder), until))


def done(reminder: Reminder) -> str:
    return "\n".join((strings.DONE.format(what=reminder.text), context(reminder)))


def addressed(text: str, user_id: int, *, in_channel: bool) -> str:
    """The copy in a channel (DMs closed) starts with its owner's mention, as sent."""
    return f"{markup.user(user_id)} {text}" if in_channel else text
