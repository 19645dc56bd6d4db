"""schemathesis against the live web server's /openapi.json: every operation, with
generated parameters (the real server ids among them), answers no 5xx and nothing that
breaks its schema (status codes, content types, bodies as documented)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.emulator import DiscordEmulator
from tests.flows.sessions_kit import click, create
from tests.flows.web_kit import publish, site, solved_question

EXAMPLES = 60
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(spec: dict[str, Any], base_url: str, guild_id: int) -> list[str]:
    """Run every operation of ``spec``; what failed, one line each."""
    schema = schemathesis.openapi.from_dict(spec)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Some cases use the server that is on the web, so pages of data come back; the
        # others keep the generated id (any integer the document allows).
        known = st.sampled_from([guild_id, None])
        strategy = operation.as_strategy().flatmap(
            lambda case, known=known: known.map(lambda g, case=case: _with_guild(case, g))
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base_url, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # every operation is tried; failures are reported together
            failures.append(f"{operation.label}: {str(exc).splitlines()[0:6]}")
    assert operations >= 8, operations
    return failures


def _with_guild(case: schemathesis.Case, guild_id: int | None) -> schemathesis.Case:
    if guild_id is not None and case.path_parameters and "guild_id" in case.path_parameters:
        case.path_parameters["guild_id"] = guild_id
    return case


async def test_the_api_keeps_to_its_openapi_document(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        await publish(nexus)
        await solved_question(nexus)
        session = await create(nexus, title="Django ORM clinic", when="in 3 days")
        await click(nexus, w.ada, session, "join")
        spec = (await http.get("/openapi.json")).json()
        failures = await asyncio.to_thread(fuzz, spec, str(http.base_url), w.guild.id)
        assert failures == []
