"""The web pages through the real bot and its web server: a server is served only
after its admin opts in, a solved question's page reads like the thread, members kept
off the web are absent, forget-me shows a former member, and /qa search links to the
pages."""

from __future__ import annotations

import re
from pathlib import Path

from tests.emulator import DiscordEmulator
from tests.flows.harness import PUBLIC_URL, embed_text
from tests.flows.test_qa import ask, eventually, mark_solution
from tests.flows.web_kit import publish, server_addresses, site, solved_question


async def test_nothing_of_a_server_is_served_until_its_admin_opts_in(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        _, _, qid = await solved_question(nexus)
        addresses = server_addresses(w.guild.id, qid)
        for address in addresses:
            assert (await http.get(address)).status_code == 404, address
        assert str(w.guild.id) not in (await http.get("/sitemap.xml")).text
        assert (await http.get("/api/v1/servers")).json() == {"items": []}

        refused = await nexus.reply(w.ada, "nexus web", state="on")
        assert "Only admins" in embed_text(refused)
        said = await publish(nexus)
        assert f"{PUBLIC_URL}/servers/{w.guild.id}/" in said
        for address in addresses:
            assert (await http.get(address)).status_code == 200, address
        index = (await http.get("/sitemap.xml")).text
        assert f"{PUBLIC_URL}/servers/{w.guild.id}/sitemap/1.xml" in index
        assert "Already done" in await publish(nexus)

        assert "off the web" in await publish(nexus, "off")
        for address in addresses:
            assert (await http.get(address)).status_code == 404, address


async def test_a_question_page_shows_the_thread_as_asked_and_solved(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        await publish(nexus)
        thread, answer, qid = await solved_question(nexus)
        page = await http.get(f"/servers/{w.guild.id}/questions/{qid}")
        html = page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "<title>Migrations fail with relation already exists · ProDev Nexus Q&amp;A" in html
        assert '<meta name="description" content="Solved: Run migrate with --fake-initial">' in html
        canonical = (
            f'<link rel="canonical" href="{PUBLIC_URL}/servers/{w.guild.id}/questions/{qid}">'
        )
        assert canonical in html
        assert "<code>python manage.py migrate</code>" in html  # the question as asked
        assert "<pre><code>ProgrammingError</code></pre>" in html
        assert "✅ Solution:</strong> Run migrate with --fake-initial" in html
        assert "asked by ada" in html and "Helped by bola" in html  # names seen by the bot
        assert f'https://discord.com/channels/{w.guild.id}/{thread.id}"' in html
        assert f"https://discord.com/channels/{w.guild.id}/{thread.id}/{answer.id}" in html

        topic = (await http.get(f"/servers/{w.guild.id}/topics/django")).text
        assert f'href="/servers/{w.guild.id}/questions/{qid}"' in topic
        found = await http.get(f"/servers/{w.guild.id}/search", params={"q": "migration fails"})
        assert f"/questions/{qid}" in found.text
        home = (await http.get(f"/servers/{w.guild.id}/")).text
        assert "django <span" in home and "(1)" in home
        sitemap = (await http.get(f"/servers/{w.guild.id}/sitemap/1.xml")).text
        assert f"<loc>{PUBLIC_URL}/servers/{w.guild.id}/questions/{qid}</loc>" in sitemap
        robots = (await http.get("/robots.txt")).text
        assert f"Sitemap: {PUBLIC_URL}/sitemap.xml" in robots

        # Discord links to the page: /qa search and the similar questions before posting.
        link = f"{PUBLIC_URL}/servers/{w.guild.id}/questions/{qid}"
        results = await nexus.reply(w.bola, "qa search", query="migrations relation exists")
        assert f"[Read on the web]({link})" in embed_text(results)
        similar = await nexus.reply(
            w.learners[2], "ask", topic="django", title="Migrations fail: relation already exists",
            question="Same ProgrammingError on migrate.",
        )  # fmt: skip
        assert f"[Read on the web]({link})" in embed_text(similar)


async def test_user_text_is_escaped_on_the_pages(emulator: DiscordEmulator, tmp_path: Path) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        await publish(nexus)
        _, _, qid = await solved_question(
            nexus,
            title="<script>alert(1)</script> in my template",
            question="<img src=x onerror=alert(2)> shows up raw",
            summary="Escape it: {{ value|e }} & <b>",
        )
        html = (await http.get(f"/servers/{nexus.world.guild.id}/questions/{qid}")).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(2)&gt;" in html
        assert "{{ value|e }} &amp; &lt;b&gt;" in html


async def test_a_member_kept_off_the_web_is_absent_and_shown_hidden(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        g = w.guild.id
        await publish(nexus)
        _, _, asked = await solved_question(nexus)  # ada asks, bola helps
        thread = await ask(nexus, w.bola, title="Celery tasks never run", question="No worker.")
        reply = nexus.emu.user_message(thread.id, w.ada, "Start a worker process.")
        await mark_solution(nexus, w.bola, reply, "Start celery worker")
        helped = (await nexus.services.qa.by_thread(thread.id)).id  # type: ignore[union-attr]

        said = embed_text(await nexus.reply(w.ada, "privacy web", state="off"))
        assert "Your posts are off the web" in said
        page = await http.get(f"/servers/{g}/questions/{asked}")
        assert page.status_code == 404 and "keeps their posts off the web" in page.text
        assert "Migrations fail" not in page.text
        for address in (f"/servers/{g}/topics/django", f"/servers/{g}/search?q=migrations",
                        f"/servers/{g}/sitemap/1.xml", f"/api/v1/servers/{g}/questions",
                        f"/api/v1/servers/{g}/search?q=migrations"):  # fmt: skip
            text = (await http.get(address)).text
            assert f"/questions/{asked}" not in text and "Migrations fail" not in text, address
        other = (await http.get(f"/servers/{g}/questions/{helped}")).text
        assert "Helped by a member who keeps their posts off the web" in other
        assert "ada" not in re.sub(r"<(style|head)>.*?</\1>", "", other, flags=re.DOTALL)
        api = (await http.get(f"/api/v1/servers/{g}/questions/{helped}")).json()
        assert api["helped_by"] == {
            "name": "a member who keeps their posts off the web",
            "kind": "hidden",
        }
        # /qa search in Discord no longer links to the hidden question's page.
        results = embed_text(await nexus.reply(w.bola, "qa search", query="migrations"))
        assert "Read on the web" not in results

        await nexus.reply(w.ada, "privacy web", state="on")
        assert (await http.get(f"/servers/{g}/questions/{asked}")).status_code == 200


async def test_forget_me_shows_a_former_member(emulator: DiscordEmulator, tmp_path: Path) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        w = nexus.world
        await publish(nexus)
        _, _, qid = await solved_question(nexus)
        address = f"/servers/{w.guild.id}/questions/{qid}"
        assert "Helped by bola" in (await http.get(address)).text

        ix = await nexus.slash(w.bola, "privacy forget-me")
        body = await ix.response()
        assert "your name on the web pages: 1" in embed_text(body["data"])
        prompt = ix.original_message
        assert prompt is not None
        confirm = prompt.components[0]["components"][0]["custom_id"]
        await (await nexus.emu.click(w.bola, prompt, confirm)).response()

        async def forgotten() -> bool:
            return "Helped by a former member" in (await http.get(address)).text

        await eventually(forgotten, "the page to name a former member")
        html = (await http.get(address)).text
        assert "bola" not in html
        api = (await http.get(f"/api/v1/servers/{w.guild.id}/questions/{qid}")).json()
        assert api["helped_by"] == {"name": "a former member", "kind": "former"}
        assert api["asked_by"] == {"name": "ada", "kind": "member"}
