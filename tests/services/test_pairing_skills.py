"""Skill normalisation: the alias table, punctuation and case, order and limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.services.pairing.skills import (
    _TABLE,
    ALIASES,
    MAX_SKILL_LENGTH,
    MAX_SKILLS,
    _loose,
    normalise_skill,
    normalise_skills,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("JS", "javascript"),
        ("ts", "typescript"),
        ("Py", "python"),
        ("python3", "python"),
        ("DRF", "django-rest-framework"),
        ("Django REST Framework", "django-rest-framework"),
        ("django_rest_framework", "django-rest-framework"),
        ("postgres", "postgresql"),
        ("PG", "postgresql"),
        ("PostgreSQL", "postgresql"),
        ("k8s", "kubernetes"),
        ("node", "nodejs"),
        ("NodeJS", "nodejs"),
        ("Node.js", "nodejs"),
        ("node js", "nodejs"),
        ("ReactJS", "react"),
        ("React.js", "react"),
        ("Vue.js", "vue"),
        ("Next.js", "nextjs"),
        ("gql", "graphql"),
        ("Golang", "go"),
        ("Mongo", "mongodb"),
        ("Tailwind CSS", "tailwindcss"),
        ("SCSS", "sass"),
        ("HTML5", "html"),
        ("Express.js", "express"),
        ("C#", "c#"),
        ("c sharp", "c#"),
        ("C++", "c++"),
        ("cpp", "c++"),
        (".NET", "dotnet"),
        ("Spring Boot", "spring-boot"),
        ("Ruby on Rails", "rails"),
        ("CI/CD", "ci-cd"),
        ("RESTful APIs", "rest-api"),
        ("Machine Learning", "machine-learning"),
        ("AWS", "aws"),
    ],
)
def test_aliases_map_to_one_name(typed: str, canonical: str) -> None:
    assert normalise_skill(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Web   Sockets ", "web-sockets"),  # spaces collapse to one hyphen
        ("Socket.IO", "socket.io"),  # inner dots stay
        ("(Rust)!", "rust"),  # stray punctuation goes
        ("...htmx...", "htmx"),
        ("Prisma ORM", "prisma-orm"),
        ("!!!", ""),
    ],
)
def test_unknown_skills_are_cleaned_not_dropped(typed: str, expected: str) -> None:
    assert normalise_skill(typed) == expected


def test_table_is_large_and_unambiguous() -> None:
    spellings = [s for canonical, others in _TABLE.items() for s in (canonical, *others)]
    loose = [_loose(s) for s in spellings]
    assert len(_TABLE) >= 40
    # No spelling is listed twice, so none can silently point at two names.
    assert len(loose) == len(set(loose)), "two spellings share a loose key"
    # Every canonical name normalises to itself, so stored skills stay stable.
    assert all(normalise_skill(c) == c for c in _TABLE)
    assert set(ALIASES.values()) == set(_TABLE)


def test_order_kept_and_duplicates_dropped_after_aliasing() -> None:
    assert normalise_skills("Python, py, Django, python3, DRF, django") == [
        "python",
        "django",
        "django-rest-framework",
    ]


def test_separators_and_empty_pieces() -> None:
    assert normalise_skills("react; Vue.js\nnext.js,, ,  ,css,") == [
        "react",
        "vue",
        "nextjs",
        "css",
    ]


def test_fifteen_skills_is_the_limit() -> None:
    fifteen = ", ".join(f"skill{i}" for i in range(MAX_SKILLS))
    assert len(normalise_skills(fifteen)) == 15
    # A duplicate (after aliasing) does not count towards the limit.
    assert len(normalise_skills(fifteen + ", SKILL0, Skill1!")) == 15
    with pytest.raises(InvalidInput) as err:
        normalise_skills(fifteen + ", one-more")
    assert err.value.message == (
        "That's 16 skills; the limit is 15. Keep the ones you most want to work with."
    )


def test_skill_length_limit_names_the_skill_and_the_limit() -> None:
    ok = "a" * MAX_SKILL_LENGTH
    assert normalise_skills(f"python, {ok}") == ["python", ok]
    with pytest.raises(InvalidInput) as err:
        normalise_skills("python, " + "b" * (MAX_SKILL_LENGTH + 1))
    assert err.value.message == (
        f"`{'b' * 33}` is too long for a skill: at most 32 characters each."
    )


def test_no_skills_at_all() -> None:
    for text in ("", " , ;", "!!!, ..."):
        with pytest.raises(InvalidInput) as err:
            normalise_skills(text)
        assert err.value.message == (
            "List at least one skill, separated by commas, e.g. `python, django, postgresql`."
        )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalising_is_idempotent_and_bounded(text: str) -> None:
    once = normalise_skill(text)
    assert normalise_skill(once) == once
    assert once == once.strip("-./")
    assert " " not in once and once == once.lower()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*ALIASES, "Rust", "htmx", "x" * 40]), max_size=20))
def test_any_list_is_within_limits_or_refused(pieces: list[str]) -> None:
    try:
        skills = normalise_skills(", ".join(pieces))
    except InvalidInput:
        return
    assert 1 <= len(skills) <= MAX_SKILLS
    assert len(set(skills)) == len(skills)
    assert all(len(s) <= MAX_SKILL_LENGTH for s in skills)
