"""Every sentence /privacy shows."""

KEPT = "Messages you posted in threads stay; questions you asked are kept as a former member's."
NOTHING_TITLE = "Nothing to forget"
NOTHING = "Nexus holds no data about you."
CONFIRM_TITLE = "Delete your data?"
CONFIRM = "This deletes, in every server:\n{listing}\n\n{kept}\nThis cannot be undone."
CONFIRM_BUTTON = "Delete my data"
NOT_DELETED = "Nothing deleted"
TIMED_OUT = "The confirmation timed out."
CANCELLED = "You cancelled."
DONE_TITLE = "Your data is deleted"
WEB_HIDDEN_TITLE = "Your posts are off the web"
WEB_HIDDEN = (
    "The web pages, search, feeds and API of every server leave out the questions you "
    "asked, and show you as hidden where you helped. Discord itself is unchanged. "
    "`/privacy web state:on` allows them again."
)
WEB_SHOWN_TITLE = "Your posts may be on the web"
WEB_SHOWN = (
    "Servers that publish their solved questions on the web include yours again, with "
    "your name where you asked or helped. `/privacy web state:off` keeps them off."
)
