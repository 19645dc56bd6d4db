"""Discord's documented request limits, reported with Discord's 400/50035 error shape."""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, FormErrors

JSON = dict[str, Any]
Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
V2_COMPONENTS_MAX = 40
CUSTOM_ID_MAX = 100
BUTTON_URL_MAX = 512
URL_SCHEMES = ("http", "https", "discord")
NONCE_MAX = 25
ALLOWED_MENTIONS_IDS_MAX = 100
THREAD_NAME_MAX = 100
FORUM_TAG_NAME_MAX = 20
FORUM_TAGS_MAX = 20
APPLIED_TAGS_MAX = 5
CHOICES_MAX = 25

FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_VOICE_MESSAGE = 1 << 13
FLAG_COMPONENTS_V2 = 1 << 15
SETTABLE_FLAGS = (
    FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_VOICE_MESSAGE | FLAG_COMPONENTS_V2
)

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def check_length(
    fe: FormErrors, path: Path, value: Any, high: int, *, low: int = 0, required: bool = False
) -> None:
    if value is None:
        if required:
            fe.required(path)
        return
    if not isinstance(value, str):
        fe.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        return
    if low and not low <= len(value) <= high:
        fe.bad_length(path, low, high)
    elif len(value) > high:
        fe.max_length(path, high)


def check_count(fe: FormErrors, path: Path, items: Any, high: int, *, low: int = 0) -> list[Any]:
    if items is None:
        return []
    if not isinstance(items, list):
        fe.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType.")
        return []
    if low and not low <= len(items) <= high:
        fe.bad_length(path, low, high)
    elif len(items) > high:
        fe.max_length(path, high)
    return items


def validate_message_body(
    body: JSON, fe: FormErrors, prefix: Path = (), *, extra_flags: int = 0
) -> int:
    """Validate message-shaped fields; returns the flags Discord would keep."""
    flags = int(body.get("flags") or 0) & (SETTABLE_FLAGS | extra_flags)
    v2 = bool(flags & FLAG_COMPONENTS_V2)
    check_length(fe, (*prefix, "content"), body.get("content"), CONTENT_MAX)
    if v2 and (body.get("content") or body.get("embeds")):
        fe.add(
            (*prefix, "content"),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used "
            "when using MessageFlags.IS_COMPONENTS_V2",
        )
    validate_embeds(body.get("embeds"), fe, (*prefix, "embeds"))
    validate_components(body.get("components"), fe, (*prefix, "components"), v2=v2)
    validate_allowed_mentions(body.get("allowed_mentions"), fe, (*prefix, "allowed_mentions"))
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > NONCE_MAX:
        fe.max_length((*prefix, "nonce"), NONCE_MAX)
    return flags


def is_empty_message(body: JSON, files: int = 0) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or files
    )


def validate_embeds(embeds: Any, fe: FormErrors, path: Path) -> None:
    items = check_count(fe, path, embeds, EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(items):
        if not isinstance(embed, dict):
            fe.add((*path, i), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        at = (*path, i)
        check_length(fe, (*at, "title"), embed.get("title"), 256)
        check_length(fe, (*at, "description"), embed.get("description"), 4096)
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        fields = check_count(fe, (*at, "fields"), embed.get("fields"), 25)
        for j, fld in enumerate(fields):
            name, value = fld.get("name"), fld.get("value")
            check_length(fe, (*at, "fields", j, "name"), name, 256, required=True)
            check_length(fe, (*at, "fields", j, "value"), value, 1024, required=True)
            total += len(name or "") + len(value or "")
        footer = embed.get("footer") or {}
        check_length(fe, (*at, "footer", "text"), footer.get("text"), 2048)
        author = embed.get("author") or {}
        check_length(fe, (*at, "author", "name"), author.get("name"), 256)
        total += len(footer.get("text") or "") + len(author.get("name") or "")
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            fe.add((*at, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
    if total > EMBED_TOTAL_MAX:
        fe.add(path, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def validate_components(components: Any, fe: FormErrors, path: Path, *, v2: bool = False) -> None:
    items = check_count(fe, path, components, V2_COMPONENTS_MAX if v2 else ACTION_ROWS_MAX)
    seen: set[str] = set()
    count = [0]
    for i, comp in enumerate(items):
        _component(comp, fe, (*path, i), seen, count, top=True, v2=v2)
    if v2 and count[0] > V2_COMPONENTS_MAX:
        fe.max_length(path, V2_COMPONENTS_MAX)


def _component(
    comp: Any, fe: FormErrors, path: Path, seen: set[str], count: list[int], *, top: bool, v2: bool
) -> None:
    count[0] += 1
    if not isinstance(comp, dict) or "type" not in comp:
        fe.required((*path, "type"))
        return
    ctype = comp["type"]
    if top and not v2 and ctype != 1:
        fe.add((*path, "type"), "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).')
        return
    custom_id = comp.get("custom_id")
    if custom_id is not None:
        check_length(fe, (*path, "custom_id"), custom_id, CUSTOM_ID_MAX, low=1)
        if custom_id in seen:
            fe.add(
                (*path, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)
    if ctype == 1:
        children = comp.get("components") or []
        check_count(fe, (*path, "components"), children, 5, low=1)
        kinds = {c.get("type") for c in children if isinstance(c, dict)}
        if kinds & SELECT_TYPES and len(children) > 1:
            fe.add(
                (*path, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for j, child in enumerate(children):
            _component(child, fe, (*path, "components", j), seen, count, top=False, v2=v2)
    elif ctype == 2:
        _button(comp, fe, path)
    elif ctype in SELECT_TYPES:
        _select(comp, fe, path)
    elif ctype == 4:
        fe.add((*path, "type"), "COMPONENT_TYPE_INVALID", "Text inputs are only valid in modals")
    elif ctype in (9, 17):  # section / container (components v2)
        for j, child in enumerate(comp.get("components") or []):
            _component(child, fe, (*path, "components", j), seen, count, top=False, v2=v2)
        if isinstance(comp.get("accessory"), dict):
            _component(comp["accessory"], fe, (*path, "accessory"), seen, count, top=False, v2=v2)
    elif ctype == 10:
        check_length(fe, (*path, "content"), comp.get("content"), 4000, low=1)


def _button(comp: JSON, fe: FormErrors, path: Path) -> None:
    style = comp.get("style")
    check_length(fe, (*path, "label"), comp.get("label"), 80)
    if style == 5:
        url = comp.get("url")
        if not url:
            fe.required((*path, "url"))
        else:
            check_length(fe, (*path, "url"), url, BUTTON_URL_MAX)
            scheme = str(url).partition(":")[0].lower()
            if scheme not in URL_SCHEMES:
                fe.add(
                    (*path, "url"),
                    "URL_TYPE_INVALID_SCHEME",
                    f'Scheme "{scheme}" is not supported. Scheme must be one of {URL_SCHEMES}.',
                )
        if comp.get("custom_id") is not None:
            fe.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                "Link buttons cannot have a custom_id",
            )
    elif style == 6:
        if not comp.get("sku_id"):
            fe.required((*path, "sku_id"))
    elif style in (1, 2, 3, 4):
        if comp.get("custom_id") is None:
            fe.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
                "A custom id is required",
            )
        if comp.get("url") is not None:
            fe.add(
                (*path, "url"),
                "BUTTON_COMPONENT_URL_NOT_ALLOWED",
                "Only link buttons can have a url",
            )
    else:
        fe.add((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
    if style != 6 and not comp.get("label") and not comp.get("emoji"):
        fe.add(
            (*path, "label"),
            "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
            "A label or emoji is required",
        )


def _select(comp: JSON, fe: FormErrors, path: Path) -> None:
    if comp.get("custom_id") is None:
        fe.required((*path, "custom_id"))
    check_length(fe, (*path, "placeholder"), comp.get("placeholder"), 150)
    min_v, max_v = comp.get("min_values", 1), comp.get("max_values", 1)
    if not 0 <= min_v <= 25:
        fe.add((*path, "min_values"), "NUMBER_TYPE_MAX", "int value should be <= 25.")
    if not 1 <= max_v <= 25:
        fe.add((*path, "max_values"), "NUMBER_TYPE_MAX", "int value should be <= 25.")
    if comp["type"] == 3:
        options = check_count(fe, (*path, "options"), comp.get("options"), 25, low=1)
        if comp.get("options") is None:
            fe.required((*path, "options"))
        for k, opt in enumerate(options):
            check_length(
                fe, (*path, "options", k, "label"), opt.get("label"), 100, low=1, required=True
            )
            check_length(
                fe, (*path, "options", k, "value"), opt.get("value"), 100, low=1, required=True
            )
            check_length(fe, (*path, "options", k, "description"), opt.get("description"), 100)
        if options and max_v > len(options):
            fe.add(
                (*path, "max_values"),
                "SELECT_COMPONENT_MAX_VALUES_TOO_LARGE",
                "max_values cannot exceed the number of options",
            )


def validate_allowed_mentions(am: Any, fe: FormErrors, path: Path) -> None:
    if am is None:
        return
    parse = am.get("parse") or []
    for key in ("users", "roles"):
        ids = check_count(fe, (*path, key), am.get(key), ALLOWED_MENTIONS_IDS_MAX)
        if key in parse and ids:
            fe.add(
                path,
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{key}"] and {key}: [ids...] are mutually exclusive.',
            )
    for i, item in enumerate(parse):
        if item not in ("users", "roles", "everyone"):
            fe.add(
                (*path, "parse", i),
                "BASE_TYPE_CHOICES",
                "Value must be one of {'everyone', 'roles', 'users'}.",
            )


def validate_modal(data: Any) -> None:
    fe = FormErrors()
    if not isinstance(data, dict):
        fe.required(("data",))
        fe.raise_if_any()
        return
    check_length(
        fe, ("data", "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX, low=1, required=True
    )
    check_length(fe, ("data", "title"), data.get("title"), 45, low=1, required=True)
    rows = check_count(fe, ("data", "components"), data.get("components"), 5, low=1)
    if data.get("components") is None:
        fe.required(("data", "components"))
    for i, row in enumerate(rows):
        path: Path = ("data", "components", i)
        if row.get("type") == 1:
            for j, child in enumerate(row.get("components") or []):
                _modal_input(child, fe, (*path, "components", j), labelled=False)
        elif row.get("type") == 18:
            check_length(fe, (*path, "label"), row.get("label"), 45, low=1, required=True)
            check_length(fe, (*path, "description"), row.get("description"), 100)
            _modal_input(row.get("component") or {}, fe, (*path, "component"), labelled=True)
    fe.raise_if_any()


def _modal_input(comp: JSON, fe: FormErrors, path: Path, *, labelled: bool) -> None:
    check_length(
        fe, (*path, "custom_id"), comp.get("custom_id"), CUSTOM_ID_MAX, low=1, required=True
    )
    if comp.get("type") == 4:
        if not labelled:
            check_length(fe, (*path, "label"), comp.get("label"), 45, low=1, required=True)
        check_length(fe, (*path, "placeholder"), comp.get("placeholder"), 100)
        check_length(fe, (*path, "value"), comp.get("value"), 4000)
        max_len = comp.get("max_length")
        if max_len is not None and not 1 <= max_len <= 4000:
            fe.add((*path, "max_length"), "NUMBER_TYPE_MAX", "int value should be <= 4000.")
        min_len = comp.get("min_length")
        if min_len is not None and not 0 <= min_len <= 4000:
            fe.add((*path, "min_length"), "NUMBER_TYPE_MAX", "int value should be <= 4000.")
    elif comp.get("type") in SELECT_TYPES:
        _select(comp, fe, path)


def validate_choices(data: Any) -> list[JSON]:
    fe = FormErrors()
    choices = check_count(fe, ("data", "choices"), (data or {}).get("choices"), CHOICES_MAX)
    for i, choice in enumerate(choices):
        check_length(
            fe, ("data", "choices", i, "name"), choice.get("name"), 100, low=1, required=True
        )
        value = choice.get("value")
        if isinstance(value, str):
            check_length(fe, ("data", "choices", i, "value"), value, 100)
        elif value is None:
            fe.required(("data", "choices", i, "value"))
    fe.raise_if_any()
    return choices


def validate_thread_name(name: Any, fe: FormErrors, path: Path = ("name",)) -> None:
    check_length(fe, path, name, THREAD_NAME_MAX, low=1, required=True)


def validate_available_tags(tags: Any, fe: FormErrors) -> None:
    items = check_count(fe, ("available_tags",), tags, FORUM_TAGS_MAX)
    for i, tag in enumerate(items):
        check_length(
            fe,
            ("available_tags", i, "name"),
            tag.get("name"),
            FORUM_TAG_NAME_MAX,
            low=1,
            required=True,
        )


def require(condition: bool, status: int, code: int, message: str | None = None) -> None:
    if not condition:
        raise ApiError(status, code, message)
