"""REST: the interaction callback and the interaction webhook (followups, @original edits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from . import messaging
from .errors import ApiError, form_error
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    PING,
)
from .limits import FLAG_EPHEMERAL, FLAG_LOADING, validate_choices, validate_modal
from .models import Message
from .records import InteractionRecord
from .server import Reply, Req, no_content, ok

JSON = dict[str, Any]
TOKEN_LIFETIME = 15 * 60
PONG, MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 1, 4, 5, 6, 7, 8, 9


def allowed_callbacks(ix: InteractionRecord) -> set[int]:
    if ix.type == PING:
        return {PONG}
    if ix.type == AUTOCOMPLETE:
        return {AUTOCOMPLETE_RESULT}
    if ix.type == APPLICATION_COMMAND:
        return {MESSAGE, DEFERRED, MODAL}
    if ix.type == MESSAGE_COMPONENT:
        return {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL}
    if ix.type == MODAL_SUBMIT:
        from_component = ix.source_message_id is not None
        return {MESSAGE, DEFERRED} | ({DEFERRED_UPDATE, UPDATE} if from_component else set())
    return set()


def _reject(ix: InteractionRecord | None, err: ApiError) -> ApiError:
    if ix is not None:
        ix.rejections.append((err.status, err.body()))
        ix.notify()
    return err


async def callback(req: Req) -> Reply:
    emu = req.emu
    ix = emu.interactions.get(req.id("interaction_id"))
    if ix is None or ix.token != req.params["token"]:
        raise ApiError(404, 10062)
    if ix.callback is not None:
        raise _reject(ix, ApiError(400, 40060))
    if emu.clock.time() - ix.created_at > emu.interaction_deadline:
        raise _reject(ix, ApiError(404, 10062))
    body = req.json()
    ctype = body.get("type")
    if ctype not in allowed_callbacks(ix):
        raise _reject(
            ix,
            form_error(
                ("type",),
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Callback type {ctype} is not valid for interaction type {ix.type}",
            ),
        )
    data = body.get("data") or {}
    try:
        resource = _apply_callback(req, ix, ctype, data)
    except ApiError as exc:
        raise _reject(ix, exc) from None
    ix.callback = body
    ix.callback_at = emu.clock.time()
    ix.notify()
    if not req.flag("with_response"):
        return no_content()
    msg = ix.original_message
    info: JSON = {"id": str(ix.id), "type": ix.type}
    if msg is not None and ctype in (MESSAGE, DEFERRED, UPDATE, DEFERRED_UPDATE):
        info["response_message_id"] = str(msg.id)
        info["response_message_loading"] = bool(msg.flags & FLAG_LOADING)
        info["response_message_ephemeral"] = msg.ephemeral
    out: JSON = {"interaction": info, "resource": {"type": ctype}}
    if resource is not None:
        out["resource"]["message"] = req.state.message_payload(resource)
    return ok(out)


def _apply_callback(req: Req, ix: InteractionRecord, ctype: int, data: JSON) -> Message | None:
    emu = req.emu
    if ctype == MESSAGE:
        msg = _response_message(req, ix, data, req.files)
        ix.original_message_id = msg.id
        return msg
    if ctype == DEFERRED:
        flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
        msg = _new_response(req, ix, {"content": ""}, flags)
        ix.original_message_id = msg.id
        return None
    if ctype == DEFERRED_UPDATE:
        ix.original_message_id = ix.source_message_id
        return None
    if ctype == UPDATE:
        assert ix.source_message_id is not None
        source = emu.state.messages[ix.source_message_id]
        messaging.apply_edit(emu, source, data, req.files)
        ix.original_message_id = source.id
        return source
    if ctype == AUTOCOMPLETE_RESULT:
        validate_choices(data)
        return None
    if ctype == MODAL:
        validate_modal(data)
        data["components"] = messaging.assign_component_ids(data.get("components") or [])
        return None
    return None


def _message_type(ix: InteractionRecord) -> int:
    if ix.source_message_id is not None:
        return 19
    if ix.type == APPLICATION_COMMAND and ix.payload["data"].get("type", 1) != 1:
        return 23
    return 20


def _response_message(req: Req, ix: InteractionRecord, data: JSON, files: list[Any]) -> Message:
    flags = messaging.validate_create(data, files, extra_flags=FLAG_EPHEMERAL)
    return _new_response(req, ix, data, flags, files)


def _new_response(
    req: Req, ix: InteractionRecord, data: JSON, flags: int, files: list[Any] | None = None
) -> Message:
    emu = req.emu
    user = ix.user.to_dict()
    metadata: JSON = {
        "id": str(ix.id),
        "type": ix.type,
        "user": user,
        "authorizing_integration_owners": ix.payload["authorizing_integration_owners"],
    }
    extra: JSON = {}
    if ix.type == APPLICATION_COMMAND:
        metadata["name"] = ix.command_name
        metadata["command_type"] = ix.payload["data"].get("type", 1)
    if ix.source_message_id is not None:
        metadata["interacted_message_id"] = str(ix.source_message_id)
        extra["message_reference"] = {
            "type": 0,
            "channel_id": str(ix.channel.id),
            "message_id": str(ix.source_message_id),
            **({"guild_id": str(ix.channel.guild_id)} if ix.channel.guild_id else {}),
        }
    legacy: JSON = {"id": str(ix.id), "type": ix.type, "name": ix.command_name or "", "user": user}
    if "member" in ix.payload:
        legacy["member"] = {
            k: v for k, v in ix.payload["member"].items() if k not in ("user", "permissions")
        }
    return messaging.new_message(
        emu,
        ix.channel,
        emu.bot_user,
        data,
        files=files,
        flags=flags,
        msg_type=_message_type(ix),
        webhook_id=emu.application_id,
        application_id=emu.application_id,
        interaction_metadata=metadata,
        interaction=legacy,
        interaction_id=ix.id,
        **extra,
    )


# -- webhook (token) routes ---------------------------------------------------------------------


def webhook_interaction(req: Req) -> InteractionRecord:
    emu = req.emu
    ix = emu.interactions_by_token.get(req.params["token"])
    if req.id("application_id") != emu.application_id or ix is None:
        raise ApiError(401, 50027)
    if emu.clock.time() - ix.created_at > TOKEN_LIFETIME:
        raise _reject(ix, ApiError(401, 50027))
    if ix.callback is None:  # followups/edits need the initial response first
        raise _reject(ix, ApiError(404, 10015))
    return ix


def _owned_message(req: Req, ix: InteractionRecord) -> Message:
    raw = req.params.get("message_id")
    if raw is None:
        msg = ix.original_message
    else:
        mid = int(raw)
        msg = None
        if mid == ix.original_message_id or mid in ix.followup_ids:
            msg = req.state.messages.get(mid)
    if msg is None or msg.deleted:
        raise ApiError(404, 10008)
    return msg


def _recording(
    handler: Callable[[Req, InteractionRecord], Reply],
) -> Callable[[Req], Awaitable[Reply]]:
    """Run a webhook handler; refusals are also noted on the interaction record."""

    async def run(req: Req) -> Reply:
        ix = webhook_interaction(req)
        try:
            return handler(req, ix)
        except ApiError as exc:
            raise _reject(ix, exc) from None

    return run


@_recording
def followup(req: Req, ix: InteractionRecord) -> Reply:
    body = req.json()
    if req.query.get("thread_id"):
        raise form_error(
            ("thread_id",), "INTERACTION_FOLLOWUP_THREAD_ID", "thread_id is not supported"
        )
    original = ix.original_message
    if (
        ix.callback
        and ix.callback.get("type") == DEFERRED
        and original is not None
        and original.flags & FLAG_LOADING
    ):
        body = {k: v for k, v in body.items() if k != "flags"}
        messaging.apply_edit(req.emu, original, body, req.files)
        ix.notify()
        return ok(req.state.message_payload(original))
    if ix.type == AUTOCOMPLETE:
        raise ApiError(400, 50035, "Invalid Form Body")
    msg = _response_message(req, ix, body, req.files)
    ix.followup_ids.append(msg.id)
    ix.notify()
    return ok(req.state.message_payload(msg))


@_recording
def get_webhook_message(req: Req, ix: InteractionRecord) -> Reply:
    return ok(req.state.message_payload(_owned_message(req, ix)))


@_recording
def edit_webhook_message(req: Req, ix: InteractionRecord) -> Reply:
    msg = _owned_message(req, ix)
    messaging.apply_edit(req.emu, msg, req.json(), req.files)
    ix.notify()
    return ok(req.state.message_payload(msg))


@_recording
def delete_webhook_message(req: Req, ix: InteractionRecord) -> Reply:
    msg = _owned_message(req, ix)
    messaging.delete(req.emu, msg)
    ix.notify()
    return no_content()
