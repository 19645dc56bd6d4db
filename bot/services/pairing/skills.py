"""Skills as learners type them ("React.js, PY, drf") made comparable ("react", "python",
"django-rest-framework").

A skill is lower-cased, its spaces and underscores become hyphens, stray punctuation goes
(``+``, ``#`` and inner ``.``/``/`` stay: ``c++``, ``c#``, ``socket.io``, ``ci/cd``),
and common aliases map to one name. Aliases are matched on a loose key that also ignores
dots, hyphens, slashes and spaces, so ``Node.js``, ``node js`` and ``NODEJS`` agree.
"""

from __future__ import annotations

import re

from bot.errors import InvalidInput, quote_input

__all__ = ["ALIASES", "MAX_SKILLS", "MAX_SKILL_LENGTH", "normalise_skill", "normalise_skills"]

MAX_SKILLS = 15
MAX_SKILL_LENGTH = 32

# canonical name -> other spellings (compared by loose key). Each canonical name is also
# its own alias.
_TABLE: dict[str, tuple[str, ...]] = {
    "javascript": ("js", "ecmascript", "es6", "vanilla js"),
    "typescript": ("ts",),
    "python": ("py", "python3", "py3"),
    "django": ("django framework",),
    "django-rest-framework": ("drf", "django rest"),
    "flask": (),
    "fastapi": (),
    "postgresql": ("postgres", "pg", "psql", "pgsql"),
    "mysql": (),
    "sqlite": ("sqlite3",),
    "mongodb": ("mongo",),
    "redis": (),
    "sql": (),
    "nodejs": ("node",),
    "express": ("expressjs",),
    "nestjs": ("nest",),
    "react": ("reactjs",),
    "react-native": ("rn",),
    "nextjs": ("next",),
    "vue": ("vuejs", "vue3"),
    "nuxt": ("nuxtjs",),
    "angular": ("angularjs",),
    "svelte": ("sveltejs", "sveltekit"),
    "redux": ("redux toolkit", "rtk"),
    "html": ("html5",),
    "css": ("css3",),
    "sass": ("scss",),
    "tailwindcss": ("tailwind",),
    "graphql": ("gql",),
    "rest-api": ("rest", "restful", "rest apis", "restful api", "restful apis"),
    "docker": (),
    "kubernetes": ("k8s", "kube"),
    "aws": ("amazon web services",),
    "gcp": ("google cloud", "google cloud platform"),
    "azure": ("microsoft azure",),
    "ci-cd": ("github actions",),  # "ci/cd", "CICD" share its loose key
    "git": (),
    "linux": (),
    "go": ("golang",),
    "java": (),
    "spring-boot": ("spring",),
    "c#": ("csharp",),
    "dotnet": (".net", "asp.net"),
    "c++": ("cpp",),
    "ruby": ("rb",),
    "rails": ("ruby on rails", "ror"),
    "php": (),
    "laravel": (),
    "celery": (),
    "rabbitmq": (),
    "jest": (),
    "pytest": (),
    "figma": (),
    "machine-learning": ("ml",),
}

_LOOSE_DROP = re.compile(r"[\s.\-/_]+")


def _loose(text: str) -> str:
    return _LOOSE_DROP.sub("", text.lower())


ALIASES: dict[str, str] = {
    _loose(spelling): canonical
    for canonical, spellings in _TABLE.items()
    for spelling in (canonical, *spellings)
}

_SEPARATORS = re.compile(r"[,;\n]")
_SPACES = re.compile(r"[\s_]+")
_NOT_ALLOWED = re.compile(r"[^\w+#./-]")
_EDGE_PUNCTUATION = "-./"
_EXAMPLE = "e.g. `python, django, postgresql`"


def normalise_skill(text: str) -> str:
    """One skill in its canonical spelling, or ``""`` if nothing usable is left."""
    cleaned = _NOT_ALLOWED.sub("", _SPACES.sub("-", text.strip().lower()))
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip(_EDGE_PUNCTUATION)
    return ALIASES.get(_loose(cleaned), cleaned) if cleaned else ""


def normalise_skills(text: str) -> list[str]:
    """A comma list of skills, normalised, deduplicated (first spelling's position kept).

    Raises ``InvalidInput`` for an empty list, more than ``MAX_SKILLS`` skills, or a skill
    longer than ``MAX_SKILL_LENGTH`` characters.
    """
    skills: list[str] = []
    for piece in _SEPARATORS.split(text):
        skill = normalise_skill(piece)
        if not skill or skill in skills:
            continue
        if len(skill) > MAX_SKILL_LENGTH:
            raise InvalidInput(
                f"{quote_input(piece.strip())} is too long for a skill: at most "
                f"{MAX_SKILL_LENGTH} characters each."
            )
        skills.append(skill)
    if not skills:
        raise InvalidInput(f"List at least one skill, separated by commas, {_EXAMPLE}.")
    if len(skills) > MAX_SKILLS:
        raise InvalidInput(
            f"That's {len(skills)} skills; the limit is {MAX_SKILLS}. Keep the ones you "
            "most want to work with."
        )
    return skills
