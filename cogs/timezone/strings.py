"""Every sentence /timezone shows."""

SOURCES = {
    "yours": "your own setting",
    "server": "this server's timezone (you have not set yours)",
    "default": "UTC (neither you nor this server have set one)",
}
SAVED_TITLE = "Timezone saved"
SAVED = (
    "Your timezone is now **{zone}**. Times you type are read in it, and everyone sees "
    "times in their own local time."
)
SHOW_TITLE = "Your timezone"
SHOW = "**{zone}**, from {source}.\nYour local time now: {local}. Change it with `/timezone set`."
