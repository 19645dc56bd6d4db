"""Every sentence /announce shows."""

GROUP = "Mentors: post, schedule and edit announcements."
MODAL_TITLE = "New announcement"
EDIT_MODAL_TITLE = "Edit announcement #{id}"
TITLE_LABEL = "Title"
TITLE_HINT = "What it's about, in a few words"
BODY_LABEL = "Announcement"
BODY_HINT = "The message. Markdown works; mentions in it ping nobody."

PREVIEW = "**Preview**: this is exactly how it will look."
PREVIEW_PING = "It pings {ping}."
PREVIEW_NO_PING = "It pings nobody."
PREVIEW_WHEN = "It goes out {when}{repeat}."
PREVIEW_NOW = "It goes out when you press **Post**, in {channel}."
REPEATS = {
    "none": "",
    "daily": ", then every day at that time",
    "weekly": ", then every week at that time",
}
POST = "Post"
SCHEDULE = "Schedule"
CANCEL = "Cancel"
REFUSED_TITLE = "Can't post this"
DISCARDED = "Draft discarded; nothing was posted."

POSTED_TITLE = "Announcement #{id} posted"
POSTED = "{link}"
SCHEDULED_TITLE = "Announcement #{id} scheduled"
SCHEDULED = "It goes out {when}{repeat} in {channel}. `/announce cancel {id}` drops it."
NOT_PUBLISHED = (
    "Posted, but not published to following servers: Discord allows {limit} publishes an "
    "hour in a channel and this one has reached it."
)
SIGNATURE = "Posted by {author}"

FAILED_NOTICE = (
    "Your announcement #{id} “{title}” could not be posted in <#{channel}> after {tries} "
    "tries ({error}). Check my permissions there with `/nexus config`, then post it again."
)
NOT_PUBLISHED_NOTICE = (
    "Your announcement #{id} went out in <#{channel}> but was not published to following "
    "servers: Discord's limit of {limit} publishes an hour in that channel was reached."
)

LIST_TITLE = "Announcements"
LIST_EMPTY = "None yet. `/announce post` writes one."
SCHEDULED_FIELD = "Scheduled"
RECENT_FIELD = "Recent"
AUDIT_LINE = "{when} {action} by {who}{detail}"
THE_BOT = "Nexus"

EDITED_TITLE = "Announcement #{id} edited"
EDITED = "Changed: {changed}. {where}"
EDITED_POSTED = "The posted message was edited in place."
EDITED_SCHEDULED = "It goes out as edited."
CANCELLED_TITLE = "Announcement #{id} cancelled"
CANCELLED = "It won't go out."
DELETED_TITLE = "Announcement #{id} deleted"
DELETED = "Its message was deleted."

DIGEST_TITLE = "Weekly digest"
DIGEST_SET = "A digest goes out every {when} ({zone}); the next one {relative}."
DIGEST_OFF = "The weekly digest is off."
