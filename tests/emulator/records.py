"""``InteractionRecord``: one interaction sent to the bot and what the bot did with its token."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from .models import Channel, Message, User

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

JSON = dict[str, Any]


class InteractionRecord:
    """One interaction sent to the bot, and everything the bot did with its token."""

    def __init__(
        self,
        emu: DiscordEmulator,
        payload: JSON,
        user: User,
        channel: Channel,
        *,
        command_name: str | None = None,
        source_message_id: int | None = None,
        parent: InteractionRecord | None = None,
    ) -> None:
        self.emu = emu
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.channel = channel
        self.command_name = command_name
        self.source_message_id = source_message_id
        self.parent = parent
        self.created_at = emu.clock.time()
        self.callback: JSON | None = None
        self.callback_at: float | None = None
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.rejections: list[tuple[int, Any]] = []
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"<InteractionRecord id={self.id} type={self.type} name={self.command_name!r}>"

    def notify(self) -> None:
        self._changed.set()

    async def _wait(self, done: Any, timeout: float, what: str) -> None:
        seen = len(self.rejections)

        async def loop() -> None:
            while not done():
                if len(self.rejections) > seen:
                    return  # the emulator refused what the bot sent; no point waiting on
                self._changed.clear()
                await self._changed.wait()

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loop(), timeout)
        if not done():
            detail = f"; the emulator rejected: {self.rejections}" if self.rejections else ""
            raise AssertionError(f"{self!r}: no {what} within {timeout}s{detail}")

    async def response(self, timeout: float = 5.0) -> JSON:
        """The callback body the bot posted (``{"type": ..., "data": ...}``)."""
        await self._wait(lambda: self.callback is not None, timeout, "the interaction callback")
        assert self.callback is not None
        return self.callback

    async def followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        await self._wait(lambda: len(self.followup_ids) >= count, timeout, f"{count} followup(s)")
        return [self.emu.state.messages[i] for i in self.followup_ids]

    async def wait_for_edit(self, timeout: float = 5.0) -> Message:
        """Wait until the original response has been edited (e.g. after a defer)."""

        def edited() -> bool:
            msg = self.original_message
            return msg is not None and msg.edited_timestamp is not None

        await self._wait(edited, timeout, "an edit of the original response")
        msg = self.original_message
        assert msg is not None
        return msg

    @property
    def original_message(self) -> Message | None:
        if self.original_message_id is None:
            return None
        msg = self.emu.state.messages.get(self.original_message_id)
        return None if msg is None or msg.deleted else msg

    @property
    def ephemeral(self) -> bool:
        msg = self.original_message
        if msg is not None:
            return msg.ephemeral
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & 64)

    @property
    def modal(self) -> JSON | None:
        if self.callback is None or self.callback.get("type") != 9:
            return None
        data: JSON = self.callback["data"]
        return data

    @property
    def choices(self) -> list[JSON] | None:
        if self.callback is None or self.callback.get("type") != 8:
            return None
        return list((self.callback.get("data") or {}).get("choices") or [])
