"""The single REST route table. Add a route here: method, path template, handler.

``{name_id}`` placeholders match snowflakes only; ``{token}`` matches any path segment.
Order matters only where two templates could match the same path (first wins).
Routes with ``auth=False`` are authenticated by the interaction token in the path, as on Discord.
"""

from __future__ import annotations

from . import rest_app as app
from . import rest_channels as ch
from . import rest_guilds as guilds
from . import rest_interactions as ix
from . import rest_reactions as rx
from . import rest_thread_members as tm
from . import rest_threads as th
from .server import RouteSpec as R

ROUTES: list[R] = [
    # current user, gateway discovery, application
    R("GET", "/users/@me", app.get_me),
    R("GET", "/users/{user_id}", app.get_user),
    R("POST", "/users/@me/channels", app.create_dm),
    R("GET", "/gateway/bot", app.get_gateway_bot),
    R("GET", "/gateway", app.get_gateway, auth=False),
    R("GET", "/oauth2/applications/@me", app.get_application),
    R("GET", "/applications/@me", app.get_application),
    # application commands
    R("GET", "/applications/{application_id}/commands", app.get_global_commands),
    R("PUT", "/applications/{application_id}/commands", app.put_global_commands),
    R("GET", "/applications/{application_id}/guilds/{guild_id}/commands", app.get_guild_commands),
    R("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", app.put_guild_commands),
    # interactions: callback and webhook followups/edits
    R("POST", "/interactions/{interaction_id}/{token}/callback", ix.callback, auth=False),
    R("POST", "/webhooks/{application_id}/{token}", ix.followup, auth=False),
    R(
        "GET",
        "/webhooks/{application_id}/{token}/messages/@original",
        ix.get_webhook_message,
        auth=False,
    ),
    R(
        "PATCH",
        "/webhooks/{application_id}/{token}/messages/@original",
        ix.edit_webhook_message,
        auth=False,
    ),
    R(
        "DELETE",
        "/webhooks/{application_id}/{token}/messages/@original",
        ix.delete_webhook_message,
        auth=False,
    ),
    R(
        "GET",
        "/webhooks/{application_id}/{token}/messages/{message_id}",
        ix.get_webhook_message,
        auth=False,
    ),
    R(
        "PATCH",
        "/webhooks/{application_id}/{token}/messages/{message_id}",
        ix.edit_webhook_message,
        auth=False,
    ),
    R(
        "DELETE",
        "/webhooks/{application_id}/{token}/messages/{message_id}",
        ix.delete_webhook_message,
        auth=False,
    ),
    # channels and messages
    R("GET", "/channels/{channel_id}", ch.get_channel),
    R("PATCH", "/channels/{channel_id}", th.patch_channel),
    R("POST", "/channels/{channel_id}/typing", ch.typing),
    R("GET", "/channels/{channel_id}/messages", ch.list_messages),
    R("POST", "/channels/{channel_id}/messages", ch.create_message),
    R("GET", "/channels/{channel_id}/messages/pins", ch.list_pins),
    R("PUT", "/channels/{channel_id}/messages/pins/{message_id}", ch.pin),
    R("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", ch.unpin),
    R("GET", "/channels/{channel_id}/pins", ch.list_pins_legacy),
    R("PUT", "/channels/{channel_id}/pins/{message_id}", ch.pin),
    R("DELETE", "/channels/{channel_id}/pins/{message_id}", ch.unpin),
    R("GET", "/channels/{channel_id}/messages/{message_id}", ch.get_message),
    R("PATCH", "/channels/{channel_id}/messages/{message_id}", ch.edit_message),
    R("DELETE", "/channels/{channel_id}/messages/{message_id}", ch.delete_message),
    R("POST", "/channels/{channel_id}/messages/{message_id}/crosspost", ch.crosspost),
    R(
        "PUT",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
        rx.add_own_reaction,
    ),
    # threads
    R("POST", "/channels/{channel_id}/messages/{message_id}/threads", th.thread_from_message),
    R("POST", "/channels/{channel_id}/threads", th.create_thread),
    R("GET", "/channels/{channel_id}/threads/archived/public", tm.archived_public_threads),
    R("GET", "/channels/{channel_id}/thread-members", tm.list_thread_members),
    R("PUT", "/channels/{channel_id}/thread-members/@me", tm.add_thread_member),
    R("DELETE", "/channels/{channel_id}/thread-members/@me", tm.remove_thread_member),
    R("GET", "/channels/{channel_id}/thread-members/{user_id}", tm.get_thread_member),
    R("PUT", "/channels/{channel_id}/thread-members/{user_id}", tm.add_thread_member),
    R("DELETE", "/channels/{channel_id}/thread-members/{user_id}", tm.remove_thread_member),
    R("GET", "/guilds/{guild_id}/threads/active", tm.active_threads),
    # guilds
    R("GET", "/guilds/{guild_id}", guilds.get_guild),
    R("GET", "/guilds/{guild_id}/roles", guilds.get_roles),
    R("GET", "/guilds/{guild_id}/roles/{role_id}", guilds.get_role),
    R("GET", "/guilds/{guild_id}/channels", guilds.get_channels),
    R("GET", "/guilds/{guild_id}/members", guilds.list_members),
    R("GET", "/guilds/{guild_id}/members/{user_id}", guilds.get_member),
    # guild scheduled events
    R("GET", "/guilds/{guild_id}/scheduled-events", guilds.list_events),
    R("POST", "/guilds/{guild_id}/scheduled-events", guilds.create_event),
    R("GET", "/guilds/{guild_id}/scheduled-events/{event_id}", guilds.get_event),
    R("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}", guilds.edit_event),
    R("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}", guilds.delete_event),
]
