"""The rules of "similar solved questions", each on a tiny archive built for it (the
held-out quality figure is in test_qa_search): only solved ones, three at most, two title
words at least, and half the title's weight with words weighted by rarity."""

from __future__ import annotations

import math

import pytest

from bot.services.container import Services
from bot.services.qa.rules import Ask
from bot.services.qa.search import MAX_TERMS, idf, terms

GUILD = 1
threads = iter(range(20_000, 30_000))


async def archive(services: Services, title: str, body: str = "", *, solved: bool = True) -> int:
    from bot.services.access import Actor

    thread = next(threads)
    question = await services.qa.record_question(
        guild_id=GUILD,
        channel_id=10,
        thread_id=thread,
        opener_id=thread,
        asker_id=1,
        ask=Ask("python", title, f"{body} Details of the problem."),
    )
    if solved:
        await services.qa.solve(thread, Actor(1), summary="Fixed.")
    return question.id


async def similar(services: Services, title: str, body: str = "") -> list[int]:
    hits = await services.qa.search.similar_solved(GUILD, title, body)
    assert all(isinstance(hit.score, float) for hit in hits)
    return [hit.question.id for hit in hits]


async def test_only_solved_questions_are_suggested(services: Services) -> None:
    await archive(services, "Gunicorn workers timeout behind nginx", solved=False)
    solved = await archive(services, "Gunicorn workers timeout under load")
    assert await similar(services, "Gunicorn workers timeout") == [solved]


async def test_three_suggestions_at_most(services: Services) -> None:
    for _ in range(5):
        await archive(services, "Gunicorn workers timeout")
    assert len(await similar(services, "Gunicorn workers timeout")) == 3


async def test_one_shared_word_is_never_enough_however_rare(services: Services) -> None:
    for n in range(6):
        await archive(services, f"Kubernetes pods restart {n}")
    await archive(services, "Ingress rewrite rules")  # "ingress" is rare, "kubernetes" not
    assert await similar(services, "Kubernetes ingress") == []


async def test_common_words_weigh_less_than_rare_ones(services: Services) -> None:
    for n in range(6):
        await archive(services, f"Kubernetes deploy {n}", solved=False)
    await archive(services, "Kubernetes nginx config")  # shares the common and one rare word
    await archive(services, "Ingress annotations")
    await archive(services, "Helm charts", solved=False)
    # Two of four words (half of them), but not half the weight: "kubernetes" is in most
    # questions, so it weighs little.
    assert await similar(services, "Kubernetes ingress nginx helm") == []


async def test_half_the_title_weight_is_enough(services: Services) -> None:
    both = await archive(services, "Gunicorn with nginx proxy")
    await archive(services, "Celery and redis queues", solved=False)
    # Four words as rare as each other; the suggestion holds two of them: exactly half.
    assert await similar(services, "gunicorn nginx celery redis") == [both]


async def test_the_body_is_read_past_the_usual_term_limit(services: Services) -> None:
    """Four solved questions share the title; a word deep in the new question's body
    (past the first 24 terms) tells the last one apart."""
    solved = [await archive(services, "Celery workers hang", body) for body in ("a", "b", "c")]
    solved.append(await archive(services, "Celery workers hang", "A zookeeper lock."))
    filler = " ".join(f"filler{n}" for n in range(MAX_TERMS))
    body = f"{filler} zookeeper"
    assert "zookeeper" not in terms(f"Celery workers hang {body}")  # the default limit
    assert (await similar(services, "Celery workers hang", body))[0] == solved[3]


def test_idf_is_bm25s_and_always_positive() -> None:
    assert idf(1, 3) == pytest.approx(math.log(1 + 2.5 / 1.5))
    assert idf(0, 10) == pytest.approx(math.log(22))
    assert idf(5, 3) == pytest.approx(math.log(1 + 0.5 / 5.5))  # more hits than documents
    assert idf(10, 10) > 0


async def test_a_big_archive_ranks_only_questions_holding_a_rare_word(
    services: Services,
) -> None:
    """Over 1,000 questions say "python"; one says "zookeeper". The rare word gates the
    candidates, so the common one alone brings nothing in, and the limit holds."""
    from bot.db import sql

    async with services.db.transaction() as tx:
        await sql.execute_many(
            tx,
            "INSERT INTO qa_questions (guild_id, channel_id, thread_id, opener_id, asker_id,"
            " topic, asked_at, last_activity_at, title, body) VALUES (?, 10, ?, ?, 1, 'python',"
            " 0, 0, ?, 'Python question body.')",
            [(GUILD, 50_000 + n, 50_000 + n, f"Python script {n}") for n in range(1_050)],
        )
    rare = await archive(services, "Python and zookeeper locks", solved=False)
    hits = await services.qa.search.search(GUILD, "python zookeeper")
    assert [hit.question.id for hit in hits] == [rare]
    assert len(await services.qa.search.search(GUILD, "python script", limit=3)) == 3


async def test_words_no_question_holds_weigh_most(services: Services) -> None:
    await archive(services, "Gunicorn with nginx proxy")
    # Two of four words shared, but the two missing ones are the rarest (in no question).
    assert await similar(services, "gunicorn nginx zzfoo zzbar") == []


async def test_a_cached_word_count_is_the_same_as_a_fresh_one(services: Services) -> None:
    for n in range(6):
        await archive(services, f"Kubernetes deploy {n}", solved=False)
    await archive(services, "Kubernetes nginx config")
    await archive(services, "Ingress annotations")
    await archive(services, "Helm charts", solved=False)
    for _ in range(2):  # the second time from the frequency cache
        assert await similar(services, "Kubernetes ingress nginx helm") == []


def test_terms_are_lower_cased_each_once_without_filler() -> None:
    assert terms("Celery celery, please help: REDIS redis x") == ["celery", "redis"]
