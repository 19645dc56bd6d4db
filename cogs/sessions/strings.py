"""What study sessions say to people."""

from __future__ import annotations

GROUP = "Study sessions: schedule, join, get reminded."

JOIN_LABEL = "Join"
LEAVE_LABEL = "Leave"

NOBODY_YET = "Nobody yet: press **Join**."
LIVE = "🔴 Live now"
ENDED = "Ended"
CANCELLED = "Cancelled"
CARD_FOOTER = "Session #{id} · Join or leave with the buttons, or /session join"
SERIES = {"daily": "Every day", "weekly": "Every week"}

JOINED = "You're going to **{title}**. I'll remind you before it starts."
JOINED_ALREADY = "You're already going to **{title}**."
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
    "{sessions}. Import the file into Google Calendar, Outlook or Apple Calendar; "
    "importing a newer export updates these events instead of duplicating them."
)
