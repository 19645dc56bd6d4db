"""Every sentence /pair shows."""

GROUP = "Find a partner for full-stack projects, study or code review."

PROFILE_SAVED = "Pairing profile saved"
PROFILE_NEXT = "Next: `/pair find` suggests partners; `/pair request` asks one directly."
PROFILE_UNAVAILABLE = "You're marked unavailable: rounds skip you and nobody can request you."
NO_HOURS = "No hours given: add `availability` (e.g. `mon-fri 18-22`) to be matched on overlap."

FIND_TITLE = "Suggested partners"
FIND_NONE = (
    "Nobody to suggest right now: everyone else is partnered, unavailable, or already "
    "paired with you recently. Try again after the next round, or ask a mentor."
)
FIND_FOOTER = "A complementary track counts first, then hours in common, then shared skills."
REQUEST_BUTTON = "Request"
REQUEST_NUMBERED = "Request #{rank}"

REQUEST_POST = "{target}, {requester} would like to pair with you."
REQUEST_MESSAGE = "> {message}"
REQUEST_EXPIRES = "-# Expires {relative} · only {target} can answer."
REQUEST_SENT_TITLE = "Request sent"
REQUEST_SENT = "{target} was asked [in the pairing channel]({channel}); it expires {relative}."
ACCEPT = "Accept"
DECLINE = "Decline"
ACCEPTED = "✅ {target} accepted {requester}'s request."
DECLINED = "{target} declined this request."
EXPIRED = "This request expired unanswered."
WITHDRAWN = "This request was withdrawn."
DECLINED_REPLY = "Declined. {requester} sees that you declined; you won't be matched together."
PAIRED_TITLE = "You're partners"
ACCEPTED_REPLY = "Your private thread is {thread}: the kickoff there has a checklist to start."

THREAD_INTRO_TITLE = "Meet your {kind}!"
THREAD_HELLO = "{members}: you're paired. Say hi and pick a first time to meet."
MEMBER_LINE = "{mention} · **{track}**"
SHARED_SKILLS = "Shared skills"
NO_SHARED_SKILLS = "None yet: a chance to learn from each other."
OVERLAP = "Hours in common (each in your own time)"
OVERLAP_NONE = "No weekly hours in common on your profiles: agree a time here."
OVERLAP_UNKNOWN = "Not everyone gave their hours (`/pair profile availability`): agree a time here."
WHY = "Why you"
CHECKLIST_TITLE = "Kick-off checklist"
CHECKLIST = (
    "☐ **API contract**: the endpoints, their payloads and errors (write it as an "
    "OpenAPI sketch)\n"
    "☐ **First milestone**: one endpoint, end to end, front to back, by a date\n"
    "☐ **Where the code lives**: one repository, who reviews whose pull requests\n"
    "☐ **When you meet**: a weekly slot from the hours above"
)
CHECKIN = "{members}: a week ago you were paired. Did you meet?"
MET = "We met"
NOT_YET = "Not yet"
DIDNT_WORK = "Didn't work out"
CHECKIN_TITLE = "Check-in saved"
CHECKIN_THANKS = {
    "met": "Great! Noted that you met.",
    "not_yet": "Noted. There's still time: propose a slot in this thread.",
    "didnt_work": "Thanks for saying. `/pair end` frees you both for the next round.",
}

STATUS_TITLE = "Your pairing"
STATUS_PROFILE = "**{track}** · {skills} · looking for {looking_for}"
STATUS_NO_PROFILE = "No profile yet: `/pair profile` creates one."
STATUS_SNOOZED = "Snoozed until {until}: rounds skip you."
STATUS_UNAVAILABLE = "Unavailable: rounds skip you."
PARTNERS = "Partners"
NO_PARTNERS = "None yet."
SENT = "Requests you sent"
RECEIVED = "Requests you received"
NONE = "None."
STATS = "How pairs are going here"
STATS_LINE = "{met} met · {not_yet} not yet · {didnt_work} didn't work out"

ENDED_TITLE = "Partnership ended"
ENDED = "You and {other} are no longer partners; both of you are in the next round."
ENDED_NOTICE = "{who} ended this partnership. Thanks for pairing!"
SNOOZED_TITLE = "Snoozed"
SNOOZED = "Rounds skip you until {until}. Requests still reach you."
EXCLUDED_TITLE = "Excluded"
EXCLUDED = "You'll never be matched with {other}. Only you can see this."
ALREADY_EXCLUDED = "You had already excluded {other}."

ROUND_TITLE = "Pairing round #{id}"
ROUND_SUMMARY = (
    "{pairs} and {trios} from {learners}.\n"
    "Total score {total} (a random shuffle of the same learners: {shuffle})."
)
ROUND_EMPTY = "Nobody is waiting for a partner: every available learner has one."
ROUND_OPENING = "Opening the private threads now; this takes a moment for a big round."
UNPAIRED = "Left unpaired"
UNPAIRED_REASONS = {
    "snoozed": "snoozed",
    "not available": "marked unavailable",
    "has a partner": "already has a partner",
    "no compatible partner": "every possible partner was paired recently, declined or excluded",
    "odd one out": "odd one out, and no trio could take them",
}
SCHEDULE_SET = "Rounds run every {when} ({zone}); the next one {relative}."
SCHEDULE_OFF = "Automatic rounds are off."
SCHEDULE_TITLE = "Pairing rounds"
