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
PROBLEMS = "{count} setting(s) need changes before every feature works."
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
