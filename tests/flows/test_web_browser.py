"""A person's view of the pages, in a real browser: Debian's headless Chromium driven by
chromedriver (selenium), against the bot's web server. A question page, the topic
list, search and /docs, on a desktop window and on a phone-sized one."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.emulator import DiscordEmulator
from tests.flows.sessions_kit import create
from tests.flows.web_kit import publish, site, solved_question

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PHONE = (390, 844)  # CSS pixels, a common phone
DESKTOP = (1280, 900)
WAIT = 20.0

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (see .ci/run)")
    pytest.skip(
        "needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver",
        allow_module_level=True,
    )


@contextmanager
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-extensions", "--hide-scrollbars"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def phone(driver: webdriver.Chrome) -> None:
    width, height = PHONE
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 3, "mobile": True},
    )


def fits_the_width(driver: webdriver.Chrome) -> bool:
    """Nothing makes the page scroll sideways (a code block scrolls inside itself)."""
    return bool(
        driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth;")
    )


def look(driver: webdriver.Chrome, base: str, guild_id: int, qid: int, shots: Path) -> None:
    """Everything the browser checks, in one thread (selenium blocks)."""
    wait = WebDriverWait(driver, WAIT)
    driver.set_window_size(*DESKTOP)

    # The server's home: the topic list, then one topic's questions.
    driver.get(f"{base}/servers/{guild_id}/")
    assert driver.title == "ProDev Nexus Q&A: solved questions"
    topics = driver.find_elements(By.CSS_SELECTOR, "ul.topics a")
    assert [t.text for t in topics] == ["django (1)"]
    topics[0].click()
    wait.until(ready.title_contains("Solved django questions"))
    [item] = driver.find_elements(By.CSS_SELECTOR, "ul.list li")
    assert "Migrations fail with relation already exists" in item.text
    assert "✅ Run migrate with --fake-initial" in item.text

    # Its question page, as a person reads it.
    item.find_element(By.CSS_SELECTOR, "a.title").click()
    wait.until(ready.url_contains(f"/questions/{qid}"))
    assert driver.find_element(By.TAG_NAME, "h1").text == (
        "Migrations fail with relation already exists"
    )
    question = driver.find_element(By.CSS_SELECTOR, "section.question").text
    assert "python manage.py migrate" in question and "ProgrammingError" in question
    solution = driver.find_element(By.CSS_SELECTOR, "section.solution")
    assert "Solution: Run migrate with --fake-initial" in solution.text
    assert "Helped by bola" in solution.text
    thread = driver.find_element(By.LINK_TEXT, "Open the thread on Discord")
    assert thread.get_attribute("href").startswith(f"https://discord.com/channels/{guild_id}/")
    driver.save_screenshot(str(shots / "question-desktop.png"))

    # The same page on a phone: readable text, nothing wider than the screen.
    phone(driver)
    driver.refresh()
    assert fits_the_width(driver)
    size = driver.execute_script(
        "const p = document.querySelector('section.question p');"
        "return parseFloat(getComputedStyle(p).fontSize);"
    )
    assert size >= 16
    box = driver.find_element(By.CSS_SELECTOR, "section.solution").rect
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    driver.save_screenshot(str(shots / "question-phone.png"))

    # Search, typed into the box on the phone.
    driver.get(f"{base}/servers/{guild_id}/")
    field = driver.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
    field.send_keys("relation already exists", Keys.ENTER)
    wait.until(ready.title_contains("Search"))
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert heading == "Results for “relation already exists”"
    links = driver.find_elements(By.CSS_SELECTOR, "ul.list a.title")
    assert [a.text for a in links] == ["Migrations fail with relation already exists"]
    assert fits_the_width(driver)
    driver.save_screenshot(str(shots / "search-phone.png"))

    # /docs: Swagger UI renders from assets served here, and lists the API.
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(f"{base}/docs")
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert driver.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text.startswith(
        "Nexus API"
    )
    paths = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
    assert "/api/v1/servers/{guild_id}/questions" in [p.replace("\u200b", "") for p in paths]
    driver.save_screenshot(str(shots / "docs.png"))


async def test_a_person_reads_the_pages_in_chromium(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    async with site(emulator, tmp_path) as (nexus, http):
        await publish(nexus)
        trace = 'django.db.utils.ProgrammingError: relation "blog_post" already exists ' * 3
        question = f"I ran `python manage.py migrate` and got:\n```\n{trace}\n```"
        _, _, qid = await solved_question(nexus, question=question)
        await create(nexus, title="Django ORM clinic", when="in 3 days")
        shots = tmp_path / "screenshots"
        shots.mkdir()

        def run() -> None:
            with browser() as driver:
                look(driver, str(http.base_url).rstrip("/"), nexus.world.guild.id, qid, shots)

        await asyncio.to_thread(run)
        assert sorted(p.name for p in shots.iterdir()) == [
            "docs.png",
            "question-desktop.png",
            "question-phone.png",
            "search-phone.png",
        ]
