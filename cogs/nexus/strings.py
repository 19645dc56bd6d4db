"""Texts of the /nexus commands."""

SETTING_LABELS = {
    "qa_forum": "Q&A channel",
    "sessions_channel": "Sessions channel",
    "announcements_channel": "Announcements channel",
    "pairing_channel": "Pairing channel",
    "server": "Server-wide",
}

SETUP_SAVED = "Settings saved"
SETUP_NOTHING = "Nothing changed: pick the options to set"
ROLES = "Mentor role: {mentor}\nHelper role: {helper}\nTimezone: `{timezone}`"
NO_MENTOR_ROLE = "not set (admins act as mentors)"
NO_HELPER_ROLE = "not set (no helper role is pinged for unanswered questions)"
NOT_SET = "Not set up. `/nexus setup {option}` turns it on."
CHANNEL_GONE = "<#{channel}> — I can't see this channel any more. Run `/nexus setup` again."
PROBLEMS = "Fix {settings} before every feature works."
SAVED_WITH_PROBLEMS = "Saved — {settings} {need} changes"
PINGS_LABEL = "Unanswered-question pings"
ROLES_NOT_PINGED = (
    "⚠️ {roles} won't be notified of unanswered questions: make {the_roles} mentionable in "
    "Server Settings → Roles, or give Nexus Mention Everyone in {channel}."
)
CONFIG_TITLE = "Nexus settings"
NOT_SET_UP = "This server is not set up yet. An admin runs `/nexus setup` to choose the channels."
ALL_GOOD = "I have every permission I need."
HELP_TITLE = "Nexus commands"
HELP_INTRO = (
    "Nexus helps this community ask and answer questions, study together, "
    "pair up for projects and hear announcements. Commands you can use:"
)
# The task each top-level command (or message menu) belongs to in /nexus help, in the
# order they are listed; a command for helpers, mentors or admins goes to their section.
TASK_OF = {
    "ask": "help",
    "Mark as solution": "help",
    "qa": "help",
    "session": "study",
    "pair": "pair",
    "announce": "you",
    "remind": "you",
    "timezone": "you",
    "privacy": "you",
    "nexus": "you",
}

# The pinned how-to posts (re-running /nexus setup edits them in place).
QA_GUIDE_TITLE = "How to ask here"
QA_GUIDE = (
    "**📌 How to ask here**\n"
    "1. Search first: `/qa search` finds solved questions and their one-line answers.\n"
    "2. Ask with `/ask` (or open a post here): one question per post, with a title that "
    "says what goes wrong.\n"
    "3. Say what you tried, and paste the error and the smallest code that shows it in a "
    "``` code block.\n"
    "4. Helpers are pinged when a question has no reply for a while; reply in the post "
    "with anything new.\n"
    "5. Solved? On the answer, **Apps → Mark as solution** (or `/qa solved`): the post is "
    "tagged Solved, the helper gets the credit, and the next learner finds it."
)
SESSIONS_GUIDE = (
    "**📌 How study sessions work here**\n"
    "• Schedule one with `/session create`: it appears here as a card with **Join** and "
    "**Leave**.\n"
    "• Join to get reminders before it starts, in the card's thread (or by DM: "
    "`/session notify dm`).\n"
    "• `/session list` shows what's coming; `/session export` puts your sessions in your "
    "calendar."
)
GUIDES_LABEL = "Pinned how-to"
GUIDE_AT = "{where}: {link}"
GUIDE_NOT_PINNED = (
    "{where}: posted, not pinned: give Nexus **Pin Messages** in <#{channel}> and run "
    "`/nexus setup` again."
)
GUIDE_FAILED = "{where}: couldn't post it in <#{channel}> ({reason}); run `/nexus setup` again."
GUIDE_NEEDS_TAG = "the forum requires a tag and has none"
GUIDE_WHERE = {"qa": "Q&A", "sessions": "Sessions"}

SECTION_TITLES = {
    "help": "Get help",
    "study": "Study together",
    "pair": "Pair up",
    "you": "You",
    "helper": "For helpers",
    "mentor": "For mentors",
    "admin": "For admins",
}
MESSAGE_MENU = "Message menu **{name}**"
MENU_DESCRIPTIONS = {
    "Mark as solution": "On a reply in a question thread: mark it as the answer.",
}
MENTOR_ALLOW_HINT = (
    "*Can't find {commands}? An admin lets the mentor role use it in "
    "Server Settings → Integrations → Nexus.*"
)
ADMIN_ALLOW_NOTE = (
    "*Only members with Manage Server see {commands} until you let the mentor role use it: "
    "Server Settings → Integrations → Nexus.*"
)
