"""What study sessions say to people."""

from __future__ import annotations

GROUP = "Study sessions: schedule, join, get reminded."

JOIN_LABEL = "Join"
JOIN_WAITLIST_LABEL = "Join waitlist"
LEAVE_LABEL = "Leave"
VOICE_LABEL = "Open voice channel"
CALENDAR_LABEL = "Add to Google Calendar"

NOBODY_YET = "Nobody yet: press **Join**."
NOBODY = "Nobody."
HOST_MARK = "{host} (host)"
LIVE = "🔴 Live now"
ENDED = "Ended"
CANCELLED = "Cancelled"
CARD_FOOTER = "Session #{id} · Join or leave with the buttons, or /session join"
CARD_FOOTER_CLOSED = "Session #{id}"
SERIES = {"daily": "Every day", "weekly": "Every week"}


CREATED_HOST = "You're going as its host."
CREATED_HOST_PLACES = "You're going as its host, on top of the {places}."
JOINED = "You're going to **{title}**, {when}."
JOINED_ALREADY = "You're already going to **{title}**, {when}."
HOSTING = "You host **{title}**, {when}: you're going without taking a place."
ON_NOW = "on now, until {end}"
VOICE_AT = "Voice channel: <#{voice}>."
REMINDERS = "Reminders: {offsets} before, {where}."
REMINDERS_WHERE = {"channel": "in this session's thread", "dm": "by DM"}
REMINDERS_OFF = "Reminders: off — change with `/session notify`."
REMINDERS_NONE_LEFT = "Reminders: none, it starts too soon."
REMINDERS_SERVER_OFF = "Reminders: none, this server doesn't send them."
WAITLISTED = (
    "**{title}** is full, so you're on the waitlist: number {place} in line. "
    "If a place frees up it's yours, and I'll tell you."
)
WAITLISTED_ALREADY = "You're already on the waitlist for **{title}**: number {place} in line."
LEFT = "You left **{title}**."
LEFT_WAITLIST = "You left the waitlist for **{title}**."

REMINDER = "⏰ **{title}** starts {relative} ({absolute})."
PROMOTED = "🎉 A place opened up: you're now going to **{title}**, {absolute} ({relative})."
EDITED = "✏️ **{title}** was changed by {actor}:\n{changes}"
CANCELLED_NOTICE = "❌ **{title}** ({absolute}) was cancelled by {actor}."
CANCELLED_REASON = "Reason: {reason}"

NOTIFY_SAVED = {
    "channel": "Session reminders will mention you in the session's thread.",
    "dm": "Session reminders will come by DM (in the thread if your DMs are closed).",
    "off": "You won't get session reminders. Changes and cancellations still reach you.",
}
NO_SESSIONS = "No upcoming sessions. Start one with `/session create`."
NO_SESSIONS_MINE = "You haven't joined any upcoming session. `/session list` shows them all."
EXPORT_EMPTY = "You have no upcoming sessions to export. Join one first."
EXPORT_DONE = (
    "{count}. Import the file into Google Calendar, Outlook or Apple Calendar; "
    "importing a newer export updates these events instead of duplicating them."
)
