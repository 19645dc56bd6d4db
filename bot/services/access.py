"""The one permission model: who is a mentor, a helper, or may manage a thing.

Every service decides with an ``Actor`` built once per interaction by the adapter; no
service looks at Discord permissions or roles any other way.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.guild_settings import GuildSettings
from bot.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """Who is acting: their id, their role ids in the server, whether they hold Manage
    Server (an admin) and Mention Everyone (where they act)."""

    user_id: int
    role_ids: frozenset[int] = frozenset()
    is_admin: bool = False
    mention_everyone: bool = False


def is_mentor(actor: Actor, settings: GuildSettings | None) -> bool:
    """The mentor role, or an admin: admins can always moderate their own server (and
    without a mentor role, only admins are mentors)."""
    if actor.is_admin:
        return True
    role = None if settings is None else settings.mentor_role_id
    return role is not None and role in actor.role_ids


def is_helper(actor: Actor, settings: GuildSettings | None) -> bool:
    """The helper role, or a mentor. A server without a helper role has no helpers."""
    if is_mentor(actor, settings):
        return True
    role = None if settings is None else settings.helper_role_id
    return role is not None and role in actor.role_ids


def may_manage(actor: Actor, owner_id: int | None, settings: GuildSettings | None) -> bool:
    """Its owner (a host, an asker, an author), or a mentor."""
    return (owner_id is not None and actor.user_id == owner_id) or is_mentor(actor, settings)


def require_mentor(actor: Actor, settings: GuildSettings | None) -> None:
    if not is_mentor(actor, settings):
        raise PermissionDenied(MENTORS_ONLY, title="Mentors only")


MENTORS_ONLY = "Only mentors can do this (the mentor role, or admins with Manage Server)."
