"""Announcements: drafts, posting now or on a schedule (repeating daily or weekly in the
author's zone), publishing within Discord's limit, edits, cancels, deletes, the audit.

* Mentors only (the mentor role, or Manage Server). ``@everyone`` is pinged only for an
  author holding Mention Everyone; the preview says why otherwise, and Post is refused.
* A draft is stored when the modal is submitted, so the preview's Post button works
  after a restart. Posting claims the next occurrence in the database first; the message
  carries a nonce of (announcement, occurrence), so a retry after a kill returns the
  message already posted instead of posting twice.
* In an announcement channel a post is published while the bot published fewer than 10
  there in the last hour (Discord's limit); past it, it stays unpublished, author told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import announcements as repo
from bot.db.announcements import Announcement, AuditEntry, Post
from bot.db.database import Connection, Database
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import Scheduler
from bot.services import access
from bot.services.access import Actor
from bot.services.guild_settings import GuildSettingsService
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.time.clock import Clock, epoch
from bot.time.timeparse import parse_when
from bot.time.wallclock import add_local
from bot.ui import markup
from bot.ui.limits import require_text

log = logging.getLogger(__name__)
NOTHING_CHANGED = "That is what the announcement already says; nothing changed."

PRIVACY_OWNER = "announcements"
KIND_POST = "announce.post"
TITLE_MAX = 256
BODY_MAX = 4000
PUBLISH_LIMIT = 10  # Discord: publishes per channel per hour
PUBLISH_WINDOW = timedelta(hours=1)
POST_ATTEMPTS = 4  # the first try and 3 retries, backing off
REPEAT_STEP = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
EVERYONE_REFUSED = (
    "You can't ping @everyone here: that needs the Mention Everyone permission. Pick a "
    "role to ping, or leave `ping` out."
)


@dataclass(frozen=True)
class Claim:
    """An occurrence to post now: the announcement as it is, and its occurrence number
    (the nonce's part)."""

    announcement: Announcement
    occurrence: int


class AnnouncementService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        guilds: GuildSettingsService,
        preferences: PreferencesService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._guilds = guilds
        self._preferences = preferences
        self._forgotten: dict[int, list[Announcement]] = {}

    async def require_mentor(self, guild_id: int, actor: Actor) -> None:
        access.require_mentor(actor, await self._guilds.get(guild_id))

    # -- drafts and posting ---------------------------------------------------------------

    async def check_when(self, guild_id: int, user_id: int, when: str | None) -> datetime | None:
        if when is None:
            return None
        zone = (await self._preferences.effective_zone(user_id, guild_id)).zone
        return parse_when(when, zone=zone, now=self._clock.now())

    async def draft(
        self,
        guild_id: int,
        actor: Actor,
        *,
        author_name: str,
        channel_id: int,
        title: str,
        body: str,
        ping_role_id: int | None,
        when: str | None,
        repeat: str,
    ) -> Announcement:
        await self.require_mentor(guild_id, actor)
        if repeat not in ("none", *REPEAT_STEP):
            raise InvalidInput("`repeat` is `none`, `daily` or `weekly`.")
        due = await self.check_when(guild_id, actor.user_id, when)
        if repeat != "none" and due is None:
            raise InvalidInput("A repeating announcement needs `when`: its first time.")
        zone = (await self._preferences.effective_zone(actor.user_id, guild_id)).zone
        now = epoch(self._clock.now())
        values: dict[str, object] = {
            "guild_id": guild_id,
            "author_id": actor.user_id,
            "author_name": require_text("name", author_name, 80),
            "channel_id": channel_id,
            "title": require_text("title", title, TITLE_MAX),
            "body": require_text("announcement", body, BODY_MAX),
            "ping_role_id": ping_role_id,
            "due_at": None if due is None else epoch(due),
            "repeat": repeat,
            "zone": zone.key,
            "created_at": now,
            "updated_at": now,
        }
        async with self._db.transaction() as tx:
            return await repo.insert(tx, values)

    def refusal(self, announcement: Announcement, actor: Actor) -> str | None:
        """Why this author may not post this draft as it is, or None."""
        refused = announcement.pings_everyone and not actor.mention_everyone
        return EVERYONE_REFUSED if refused else None

    async def get(self, announcement_id: int, guild_id: int | None) -> Announcement:
        found = await repo.get(self._db.reader, announcement_id)
        if found is None or found.guild_id != guild_id or found.status == "draft":
            raise NotFound(
                f"There is no announcement #{announcement_id} here. `/announce list` shows them."
            )
        return found

    async def confirm(self, announcement_id: int, actor: Actor) -> Announcement:
        """**Post** on the preview: scheduled for its time, or to be posted now."""
        draft = await repo.get(self._db.reader, announcement_id)
        if draft is None:
            raise NotFound("This draft is gone: run `/announce post` again.")
        if draft.author_id != actor.user_id:
            raise PermissionDenied("Only the author of this draft can post it.")
        if draft.status != "draft":
            raise AlreadyDone(f"Announcement #{draft.id} was already {draft.status}.")
        refused = self.refusal(draft, actor)
        if refused:
            raise PermissionDenied(refused)
        now = self._clock.now()
        due = draft.due if draft.due is not None and draft.due > now else None  # None: now
        values: dict[str, object] = {"updated_at": epoch(now)}
        if due is not None:
            values["status"] = "scheduled"
        async with self._db.transaction() as tx:
            updated = await repo.update(tx, draft.id, values, "status = 'draft'")
            if updated is None:  # confirmed meanwhile: book nothing, audit nothing
                raise AlreadyDone(f"Announcement #{draft.id} was already handled.")
            if due is not None:
                await self._scheduler.schedule(
                    KIND_POST,
                    due,
                    guild_id=draft.guild_id,
                    subject_id=draft.id,
                    payload={"occurrence": draft.occurrence + 1},
                    conn=tx,
                )
                await repo.audit(tx, draft.id, actor.user_id, "scheduled", _at(draft), epoch(now))
        return updated

    async def discard(self, announcement_id: int, user_id: int) -> None:
        """**Cancel** on the preview: the draft is dropped."""
        async with self._db.transaction() as tx:
            await repo.update(
                tx,
                announcement_id,
                {"status": "cancelled", "updated_at": epoch(self._clock.now())},
                f"status = 'draft' AND author_id = {int(user_id)}",
            )

    async def claim(self, announcement_id: int, expected: int | None = None) -> Claim | None:
        """The occurrence to post now (a draft confirmed for now, or a due schedule);
        None when it was cancelled or deleted meanwhile, or when ``expected`` (the
        occurrence a timer was booked for) was already posted: a timer retried after a
        kill that fell after the post was recorded."""
        current = await repo.get(self._db.reader, announcement_id)
        if current is None or current.status not in ("draft", "scheduled"):
            return None
        following = current.occurrence + 1
        if expected is not None and expected != following:
            return None
        return Claim(current, following)

    async def posted(
        self, claim: Claim, *, channel_id: int, message_id: int, actor_id: int | None
    ) -> Announcement:
        """Record the message of an occurrence; a repeating one books its next time."""
        a = claim.announcement
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await repo.record_post(
                tx,
                announcement_id=a.id,
                channel_id=channel_id,
                message_id=message_id,
                occurrence=claim.occurrence,
                now=epoch(now),
            )
            values: dict[str, object] = {
                "occurrence": max(a.occurrence, claim.occurrence),
                "updated_at": epoch(now),
            }
            following = await self._book_next(tx, a, claim.occurrence + 1, now)
            if following is not None:
                values |= {"status": "scheduled", "due_at": epoch(following)}
            else:
                values |= {"status": "posted", "due_at": None}
            updated = await repo.update(tx, a.id, values)
            await repo.audit(
                tx, a.id, actor_id, "posted", f"occurrence {claim.occurrence}", epoch(now)
            )
        if updated is None:  # pragma: no cover - read in this transaction
            raise NotFound("The announcement is gone.")
        return updated

    async def _book_next(
        self, tx: Connection, a: Announcement, occurrence: int, now: datetime
    ) -> datetime | None:
        """A repeating announcement's next time, in its zone's wall time (DST-proof)."""
        step = REPEAT_STEP.get(a.repeat)
        if step is None or a.due is None:
            return None
        following = add_local(a.due, step, ZoneInfo(a.zone))
        while following <= now:  # down for a while: the next time still ahead
            following = add_local(following, step, ZoneInfo(a.zone))
        await self._scheduler.cancel_subject(KIND_POST, a.id, conn=tx)
        await self._scheduler.schedule(
            KIND_POST,
            following,
            guild_id=a.guild_id,
            subject_id=a.id,
            payload={"occurrence": occurrence},
            conn=tx,
        )
        return following

    async def may_publish(self, channel_id: int) -> bool:
        since = epoch(self._clock.now() - PUBLISH_WINDOW)
        return await repo.published_since(self._db.reader, channel_id, since) < PUBLISH_LIMIT

    async def published(self, claim: Claim, *, done: bool) -> None:
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            if done:
                await repo.mark_published(tx, claim.announcement.id, claim.occurrence)
            await repo.audit(
                tx,
                claim.announcement.id,
                None,
                "published" if done else "not published",
                "" if done else f"over {PUBLISH_LIMIT} publishes in an hour",
                now,
            )

    async def failed(self, announcement_id: int, error: str) -> Announcement | None:
        """Retries spent: a one-off is marked failed; a series goes on at its next time."""
        current = await repo.get(self._db.reader, announcement_id)
        if current is None:
            return None
        now = self._clock.now()
        async with self._db.transaction() as tx:
            following = await self._book_next(tx, current, current.occurrence + 1, now)
            values: dict[str, object] = {"updated_at": epoch(now)}
            values |= (
                {"status": "failed", "due_at": None}
                if following is None
                else {"due_at": epoch(following)}
            )
            await repo.update(tx, current.id, values)
            await repo.audit(tx, current.id, None, "failed", error[:200], epoch(now))
        return current

    # -- list, edit, cancel, delete -------------------------------------------------------

    async def listing(self, guild_id: int) -> tuple[list[Announcement], list[AuditEntry]]:
        found = await repo.in_guild(self._db.reader, guild_id)
        trail = await repo.audit_of(self._db.reader, [a.id for a in found]) if found else []
        return found, trail

    async def suggest(self, guild_id: int, text: str, limit: int) -> list[Announcement]:
        return await repo.search(self._db.reader, guild_id, text, limit)

    async def edit(
        self, announcement_id: int, guild_id: int, actor: Actor, *, title: str, body: str
    ) -> tuple[Announcement, list[str], list[Post]]:
        """New title and body; returns what changed and the posted messages to edit."""
        await self.require_mentor(guild_id, actor)
        current = await self.get(announcement_id, guild_id)
        if current.status not in ("scheduled", "posted"):
            raise Conflict(f"Announcement #{current.id} is {current.status}; it can't be edited.")
        values: dict[str, object] = {}
        if title.strip() != current.title:
            values["title"] = require_text("title", title, TITLE_MAX)
        if body.strip() != current.body:
            values["body"] = require_text("announcement", body, BODY_MAX)
        if not values:
            raise AlreadyDone(NOTHING_CHANGED, title="Nothing changed")
        now = epoch(self._clock.now())
        changed = sorted(values)
        async with self._db.transaction() as tx:
            updated = await repo.update(tx, current.id, {**values, "updated_at": now})
            await repo.audit(tx, current.id, actor.user_id, "edited", ", ".join(changed), now)
        if updated is None:  # pragma: no cover - read just before
            raise NotFound("The announcement is gone.")
        live = [p for p in await repo.posts(self._db.reader, current.id) if not p.deleted]
        return updated, changed, live

    async def cancel(self, announcement_id: int, guild_id: int, actor: Actor) -> Announcement:
        await self.require_mentor(guild_id, actor)
        current = await self.get(announcement_id, guild_id)
        if current.status != "scheduled":
            raise Conflict(
                f"Announcement #{current.id} is not scheduled ({current.status}): "
                "`/announce delete` removes a posted one."
            )
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            updated = await repo.update(
                tx, current.id, {"status": "cancelled", "due_at": None, "updated_at": now}
            )
            await self._scheduler.cancel_subject(KIND_POST, current.id, conn=tx)
            await repo.audit(tx, current.id, actor.user_id, "cancelled", "", now)
        if updated is None:  # pragma: no cover
            raise NotFound("The announcement is gone.")
        return updated

    async def delete(
        self, announcement_id: int, guild_id: int, actor: Actor
    ) -> tuple[Announcement, list[Post]]:
        """A posted one: its messages to delete (a series stops too)."""
        await self.require_mentor(guild_id, actor)
        current = await self.get(announcement_id, guild_id)
        live = [p for p in await repo.posts(self._db.reader, current.id) if not p.deleted]
        if not live:
            raise Conflict(
                f"Announcement #{current.id} has no message to delete"
                + (
                    ": `/announce cancel` drops a scheduled one."
                    if current.status == "scheduled"
                    else "."
                )
            )
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            updated = await repo.update(
                tx, current.id, {"status": "deleted", "due_at": None, "updated_at": now}
            )
            await self._scheduler.cancel_subject(KIND_POST, current.id, conn=tx)
            await repo.mark_deleted(tx, current.id, now)
            await repo.audit(
                tx, current.id, actor.user_id, "deleted", f"{len(live)} message(s)", now
            )
        if updated is None:  # pragma: no cover
            raise NotFound("The announcement is gone.")
        return updated, live

    async def posts(self, announcement_id: int) -> list[Post]:
        return await repo.posts(self._db.reader, announcement_id)

    # -- forget-me ------------------------------------------------------------------------

    def register_privacy(self, privacy: PrivacyService) -> None:
        privacy.register(
            PRIVACY_OWNER,
            "announcements you wrote (kept, signed by a former member)",
            repo.count_authored,
            self._erase_author,
        )

    async def _erase_author(self, conn: Connection, user_id: int) -> int:
        found = await repo.forget_author(conn, user_id, markup.FORMER_MEMBER)
        self._forgotten[user_id] = [a for a in found if a.status in ("posted", "scheduled")]
        return len(found)

    def take_forgotten(self, user_id: int) -> list[Announcement]:
        return self._forgotten.pop(user_id, [])


def _at(announcement: Announcement) -> str:
    repeat = "" if announcement.repeat == "none" else f", {announcement.repeat}"
    return f"for <t:{epoch(announcement.due)}:f>{repeat}" if announcement.due else ""
