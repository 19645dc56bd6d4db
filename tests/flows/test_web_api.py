"""The web server's other faces through the real bot: the JSON API (every endpoint,
cursors, ETags), calendar feeds parsed back with the iCalendar library, health,
metrics, the docs page, and the rate limit."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar

from tests.emulator import DiscordEmulator
from tests.flows.harness import PUBLIC_URL, embed_text
from tests.flows.sessions_kit import click, create
from tests.flows.test_qa import ask
from tests.flows.web_kit import publish, site, solved_question


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus's text format (0 when absent)."""
    for line in text.splitlines():
        found = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if found is None or found[1] != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', found[2] or ""))
        if have == labels:
            return float(found[3])
    return 0.0


async def test_every_api_endpoint_pages_and_revalidates(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        g = w.guild.id
        await publish(nexus)
        titles = ["Celery worker never starts", "Redis cache misses", "JWT refresh fails"]
        ids = [(await solved_question(nexus, title=t, question="Details."))[2] for t in titles]
        session = await create(nexus, title="Django ORM clinic", when="in 3 days")
        await click(nexus, w.ada, session, "join")

        servers = (await http.get("/api/v1/servers")).json()["items"]
        assert servers == [
            {
                "id": str(g),
                "name": "ProDev Nexus",
                "url": f"{PUBLIC_URL}/servers/{g}/",
                "calendar_url": f"{PUBLIC_URL}/calendar/{g}.ics",
            }
        ]
        seen: list[int] = []
        cursor = None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await http.get(f"/api/v1/servers/{g}/questions", params=params)).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(ids) and len(seen) == 3
        one = (await http.get(f"/api/v1/servers/{g}/questions/{ids[0]}")).json()
        assert one["solution"] == "Run migrate with --fake-initial"
        assert one["helped_by"] == {"name": "bola", "kind": "member"}
        assert one["url"] == f"{PUBLIC_URL}/servers/{g}/questions/{ids[0]}"
        found = (await http.get(f"/api/v1/servers/{g}/search", params={"q": "redis"})).json()
        assert [item["title"] for item in found["items"]] == ["Redis cache misses"]

        sessions = (await http.get(f"/api/v1/servers/{g}/sessions")).json()
        [listed] = sessions["items"]
        assert (listed["id"], listed["going"], listed["calendar_uid"]) == (
            session.id,
            1,
            f"session-{session.id}@nexus",
        )
        board = (await http.get(f"/api/v1/servers/{g}/leaderboard")).json()
        assert board["items"] == [
            {"rank": 1, "helper": {"name": "bola", "kind": "member"}, "solved": 3}
        ]
        await ask(nexus, w.bola, topic="docker", title="Compose won't start", question="Why?")
        unanswered = (await http.get(f"/api/v1/servers/{g}/unanswered")).json()
        assert unanswered["total"] == 1
        assert {"topic": "docker", "count": 1} in unanswered["topics"]

        # ETags: the same answer again costs a 304 without a body.
        first = await http.get(f"/api/v1/servers/{g}/questions")
        etag = first.headers["etag"]
        again = await http.get(f"/api/v1/servers/{g}/questions", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        changed = await http.get(
            f"/api/v1/servers/{g}/questions", headers={"If-None-Match": '"stale"'}
        )
        assert changed.status_code == 200

        # CORS for browser apps.
        cors = await http.get("/api/v1/servers", headers={"Origin": "https://app.example"})
        assert cors.headers["access-control-allow-origin"] == "*"
        assert "etag" in cors.headers["access-control-expose-headers"].lower()

        # Clear answers to bad input.
        bad = await http.get(f"/api/v1/servers/{g}/questions", params={"cursor": "nonsense"})
        assert bad.status_code == 400 and "cursor" in bad.json()["detail"]
        assert (await http.get(f"/api/v1/servers/{g}/questions?limit=0")).status_code == 422
        missing = await http.get(f"/api/v1/servers/{g}/questions/999999")
        assert missing.status_code == 404 and missing.json()["detail"]


async def test_calendar_feeds_parse_back_like_the_export(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        refused = embed_text(await nexus.reply(w.ada, "session feed"))
        assert "/nexus web state:on" in refused
        await publish(nexus)
        weekly = await create(nexus, title="Weekly DRF", when="in 2 days", repeat="weekly")
        other = await create(nexus, title="Not joined", when="in 4 days")
        await click(nexus, w.ada, weekly, "join")
        await nexus.reply(w.mentor, "session edit", id=weekly.id, title="Weekly DRF (v2)")

        given = embed_text(await nexus.reply(w.ada, "session feed"))
        [url] = re.findall(rf"{re.escape(PUBLIC_URL)}/calendar/feeds/[\w-]+\.ics", given)
        feed = await http.get(url.removeprefix(PUBLIC_URL))
        assert feed.headers["content-type"].startswith("text/calendar")
        ours = icalendar.Calendar.from_ical(feed.content)

        export = await nexus.slash(w.ada, "session export")
        await export.response()
        assert export.original_message is not None
        [attachment] = export.original_message.attachments
        exported = icalendar.Calendar.from_ical(nexus.emu.state.cdn[attachment["url"]])

        def events(calendar: icalendar.Calendar) -> dict[str, tuple[int, str, str]]:
            return {
                str(e["UID"]): (int(e["SEQUENCE"]), str(e["SUMMARY"]), str(e["RRULE"].to_ical()))
                for e in calendar.walk("VEVENT")
            }

        assert events(ours) == events(exported)
        assert events(ours)[f"session-{weekly.id}@nexus"][:2] == (1, "Weekly DRF (v2)")

        public = icalendar.Calendar.from_ical(
            (await http.get(f"/calendar/{w.guild.id}.ics")).content
        )
        uids = {str(e["UID"]) for e in public.walk("VEVENT")}
        assert uids == {f"session-{weekly.id}@nexus", f"session-{other.id}@nexus"}

        kept = embed_text(await nexus.reply(w.ada, "session feed"))
        assert "already have a calendar address" in kept and "/calendar/feeds/" not in kept
        rotated = embed_text(await nexus.reply(w.ada, "session feed", rotate=True))
        [new_url] = re.findall(rf"{re.escape(PUBLIC_URL)}/calendar/feeds/[\w-]+\.ics", rotated)
        assert "previous address has stopped working" in rotated
        assert (await http.get(url.removeprefix(PUBLIC_URL))).status_code == 404
        assert (await http.get(new_url.removeprefix(PUBLIC_URL))).status_code == 200


async def test_health_metrics_and_docs(emulator: DiscordEmulator, tmp_path: Path) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        health = await http.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "gateway_connected": True,
            "database_writable": True,
            "scheduler_running": True,
        }
        # A Discord error by its code: a DM to closed DMs (then the channel fallback).
        nexus.emu.close_dms(w.ada.id)
        nexus.expect_http_error(403, code=50007)
        await nexus.reply(w.ada, "remind me", when="in 10 minutes", what="stand-up")
        before = (await http.get("/metrics")).text
        assert metric(before, "nexus_timers_pending", kind="reminder") == 1
        nexus.clock.advance(minutes=12)
        assert metric((await http.get("/metrics")).text, "nexus_timers_late", kind="reminder") == 1
        await nexus.run_timers()

        text = (await http.get("/metrics")).text
        assert metric(text, "nexus_interactions_total", type="command") >= 2
        assert metric(text, "nexus_interaction_response_seconds_count", type="command") >= 2
        assert metric(text, "nexus_discord_errors_total", status="403", code="50007") >= 1
        assert metric(text, "nexus_timers_pending", kind="reminder") == 0
        assert (
            metric(text, "nexus_web_requests_total", method="GET", route="/healthz", status="200")
            == 1
        )
        assert metric(text, "nexus_web_request_seconds_count", route="/metrics") >= 2

        docs = await http.get("/docs")
        assert "/docs/assets/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text
        assert (await http.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200
        spec = (await http.get("/openapi.json")).json()
        assert "/api/v1/servers/{guild_id}/questions" in spec["paths"]

        # The gateway drops: /healthz says so.
        nexus.bot.heartbeat.mark_disconnected()
        down = await http.get("/healthz")
        assert down.status_code == 503 and down.json()["gateway_connected"] is False


async def test_a_client_over_its_rate_gets_429_with_retry_after(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path, rate_limit=6) as (_, http):  # bursts of 3
        answers = [(await http.get("/api/v1/servers")).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = await http.get("/servers/1/")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "try again" in limited.json()["detail"]
        assert (await http.get("/healthz")).status_code == 200  # monitoring is not limited
