"""Texts of the Q&A commands, threads and timers."""

from __future__ import annotations

# The opener of an /ask question: this header, the question as the asker wrote it, this
# footer. Header and footer fit in the room ``rules.OPENER_ROOM`` keeps for them.
OPENER_HEADER = "**{topic}** question from {asker}"
FORMER_MEMBER = "a former member"
OPENER_FOOTER = "-# add logs as a reply · solved? Apps → Mark as solution"
EDIT = "Edit"

SOLVED_TAG = "Solved"
TAG_REQUIRED = (
    "The Q&A forum requires a tag on every post, and it has no `{topic}` tag I can use. "
    "An admin can add that tag (or an `other` tag), or give me Manage Channels so I "
    "create it. Your question was not posted."
)

MODAL_ASK_TITLE = "Ask a question"
MODAL_TITLE_LABEL = "Title"
MODAL_TITLE_HINT = "One line: what goes wrong, e.g. “migrate fails: relation already exists”"
MODAL_BODY_LABEL = "Details"
MODAL_BODY_HINT = "What you tried, the full error, the smallest code (in ``` blocks), versions"
MODAL_EDIT_TITLE = "Edit your question"
MODAL_HELPER_LABEL = "Who helped?"
HELPER_NOBODY = "Nobody: I worked it out myself"
MODAL_SOLVE_TITLE = "Mark as solved"
MODAL_SUMMARY_LABEL = "One-line solution"
MODAL_SUMMARY_HINT = "What fixed it, in one line, for the next person who searches."

SIMILAR_TITLE = "Similar questions were solved before"
SIMILAR_INTRO = (
    "One of these may already answer yours. If not, press **Post anyway** and your "
    "question goes up exactly as you wrote it."
)
POST_ANYWAY = "Post anyway"
CANCEL = "Cancel"
POSTED_TITLE = "Question posted"
POSTED = "Your question is up: {link}\nYou'll be notified of replies there."
NOT_POSTED = "Not posted. Your question was not sent."

SOLVED_TITLE = "Solved"
SOLVED_LINK = "[Jump to the answer]({link})"
SOLVED_SELF = "Solved by the asker"
SOLVED_FOOTER = "Archived. A new reply reopens it; so does /qa reopen."
CREDIT = "✅ Answer by {answerer}: thanks for helping! It counts on `/qa leaderboard`."

CLOSED_TITLE = "Closed"
CLOSE_REASONS = {
    "duplicate": "Closed as a duplicate of {original}.",
    "off-topic": "Closed as off-topic for this channel.",
    "stale": "Closed as stale.",
}
CLOSED_FOOTER = "Archived. A new reply reopens it; so does /qa reopen."
REOPENED_TITLE = "Reopened"
REOPENED = "{who} reopened this question."

DORMANT_TITLE = "Closed: no activity"
DORMANT = (
    "Nobody has posted here for {waited}, so I've closed this question as stale.\n"
    "Still need help? **Reply in this thread** (it reopens), or run `/qa reopen`."
)

ESCALATE_HELPERS = (
    "{mentions} this **{topic}** question has had no reply for {waited}. Can you take a look?"
)
ESCALATE_MENTORS = (
    "{mentions} this **{topic}** question is still unanswered after {waited}. "
    "A mentor's eyes would help."
)

NUDGE = (
    "{asker} it's been quiet here for {waited}. Is your question solved? "
    "If it is, press **Solved** to credit who helped and leave a one-line summary for the archive."
)
NUDGE_SOLVED = "Solved"
NUDGE_HELP = "Still need help"
DORMANT_CHECK = (
    "{asker} nobody has replied here in {waited}. Do you still need help? "
    "Press **Still need help** and I'll ping the helpers, or **Solved** if you worked it out. "
    "Without an answer, I'll close it as stale {closes}."
)
STILL_NEEDS_HELP = (
    "{mentions}{asker} still needs help with this **{topic}** question. Can you take a look?"
)

FORUM_HINT = (
    "Thanks for asking! I'm tracking this as a **{topic}** question: helpers are pinged if "
    "nobody replies. If your post doesn't have them yet, add the full error and your code "
    "as a reply.\n"
    "-# solved? Right-click (or long-press) the answer → Apps → Mark as solution"
)
FORUM_SIMILAR_INTRO = "One of these solved questions may already answer yours."

SEARCH_TITLE = "Search: {query}"
SEARCH_NONE = (
    "Nothing in the archive matches. Try other words (the error message works well), "
    "or ask with `/ask`."
)
UNANSWERED_TITLE = "Unanswered questions"
UNANSWERED_NONE = "Every open question has a reply. Nice work, helpers!"
UNANSWERED_MORE = "…and {more} more."
STILL_OPEN = "🙋 asker still needs help"
LEADERBOARD_TITLE = "Top helpers ({period})"
LEADERBOARD_NONE = "No solved questions credited in this period yet."
SHARE = "Share"
PERIOD_NAMES = {"week": "last 7 days", "month": "last 30 days", "all": "all time"}
SUBSCRIBED_TITLE = "Topic pings"
SUBSCRIBED = (
    "You'll be pinged for unanswered questions about: {topics}.\n"
    "Change with `/qa subscribe`, or `/qa subscribe none` to stop."
)
UNSUBSCRIBED = "You won't be pinged for any topic. `/qa subscribe` picks topics again."

STATUS_ICONS = {"open": "🟢 open", "solved": "✅ solved", "closed": "⚪ closed"}

PICK_A_REPLY = "Pick a reply in the thread, not the question itself."
PICK_A_MEMBER = "Pick a member's reply: messages from bots can't be solutions."
NOT_A_FORUM_OR_TEXT = (
    "The Q&A channel must be a forum or a text channel. An admin can change it with `/nexus setup`."
)
