"""Discord's error responses: JSON error codes and the nested ``Invalid Form Body`` shape."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

# Discord JSON error codes used by the emulator, with Discord's own messages.
MESSAGES: dict[int, str] = {
    0: "General error",
    10002: "Unknown Application",
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10008: "Unknown Message",
    10011: "Unknown Role",
    10013: "Unknown User",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    10063: "Unknown application command",
    10070: "Unknown Guild Scheduled Event",
    10007: "Unknown Member",
    40060: "Interaction has already been acknowledged",
    50001: "Missing Access",
    50006: "Cannot send an empty message",
    50007: "Cannot send messages to this user",
    50008: "Cannot send messages in a non-text channel",
    50013: "Missing Permissions",
    50024: "Cannot execute action on this channel type",
    50027: "Invalid Webhook Token",
    50035: "Invalid Form Body",
    50068: "Invalid message type",
    50083: "Thread is archived",
    160005: "Thread is locked",
    40033: "This message has already been crossposted",
    30003: "Maximum number of pins reached for the channel (50)",
    180000: "Cannot update a finished event",
}


class ApiError(Exception):
    """Raised by a route handler; rendered as Discord's JSON error body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str | None = None,
        errors: JSON | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message or MESSAGES.get(code, "General error")
        self.errors = errors
        super().__init__(f"{status} {self.code}: {self.message}")

    def body(self) -> JSON:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def not_found(code: int) -> ApiError:
    return ApiError(404, code)


def forbidden(code: int = 50013) -> ApiError:
    return ApiError(403, code)


class FormErrors:
    """Collects field errors and raises one 400/50035 with Discord's nested ``_errors`` tree."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: tuple[str | int, ...], limit: int) -> None:
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_length(self, path: tuple[str | int, ...], low: int, high: int) -> None:
        self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def required(self, path: tuple[str | int, ...]) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def __bool__(self) -> bool:
        return bool(self.tree)

    def raise_if_any(self) -> None:
        if self.tree:
            raise ApiError(400, 50035, "Invalid Form Body", self.tree)


def form_error(path: tuple[str | int, ...], code: str, message: str) -> ApiError:
    errors = FormErrors()
    errors.add(path, code, message)
    return ApiError(400, 50035, "Invalid Form Body", errors.tree)
