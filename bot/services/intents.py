"""Discord writes the database must know about, recorded before they are made.

A card, a forum post or a thread is created on Discord first and stored after. A kill
in between would leave a post nobody tracks, or a row pointing at nothing; so the
write is an intent row first (with the message's nonce, or, for a thread, which takes
no nonce, its channel and name), deleted once the result is stored. At start each
feature reconciles what is left: it adopts what Discord has, or makes the write once.
"""

from __future__ import annotations

from typing import Any

from bot.db import intents as repo
from bot.db.database import Database
from bot.db.intents import Intent
from bot.time.clock import Clock, epoch

# Kinds of intent, one per write that is reconciled.
SESSION_CARD = "session_card"
SESSION_THREAD = "session_thread"
QA_POST = "qa_post"


class IntentService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(
        self,
        kind: str,
        *,
        guild_id: int,
        channel_id: int,
        subject_id: int | None = None,
        user_id: int | None = None,
        nonce: str | None = None,
        name: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Intent:
        async with self._db.transaction() as tx:
            return await repo.record(
                tx,
                kind=kind,
                subject_id=subject_id,
                guild_id=guild_id,
                channel_id=channel_id,
                user_id=user_id,
                nonce=nonce,
                name=name,
                payload=payload or {},
                now=epoch(self._clock.now()),
            )

    async def complete(self, intent: Intent) -> None:
        async with self._db.transaction() as tx:
            await repo.complete(tx, intent.id)

    async def pending(self, guild_id: int, kind: str) -> list[Intent]:
        return await repo.pending(self._db.reader, guild_id, kind)
