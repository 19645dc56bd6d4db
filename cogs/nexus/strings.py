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
AUDIENCE_TITLES = {
    "anyone": "Everyone",
    "host": "Session hosts and mentors",
    "mentor": "Mentors",
    "admin": "Admins",
}
