"""One SQL text for both dialects: SQLite's placeholders (``?`` and ``:name``) rewritten
as PostgreSQL's (``$1``, ``$2`` …), so a repository writes each statement once.

The rewrite skips string literals (``'it''s ?'``), quoted identifiers, comments and
PostgreSQL casts (``x::text``). It is cached per statement text: repositories build
their statements from code, so the set of texts is small.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Alternatives in order: what to copy unchanged, then the two placeholder forms.
_TOKEN = re.compile(
    r"""
    (?P<copy>'(?:[^']|'')*'          # a string literal
      | "(?:[^"]|"")*"               # a quoted identifier
      | --[^\n]*                     # a comment to the end of the line
      | ::                           # a cast, never a named parameter
    )
    | (?P<positional>\?)
    | :(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Translated:
    """A statement in PostgreSQL's form, and where its arguments come from: positional
    (``names`` is None, ``count`` arguments) or by name (``names[i]`` is ``$i+1``)."""

    sql: str
    count: int
    names: tuple[str, ...] | None

    def arguments(self, parameters: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
        if self.names is None:
            if isinstance(parameters, Mapping):
                raise TypeError("a statement with ? placeholders takes a sequence")
            values = list(parameters)
            if len(values) != self.count:
                raise ValueError(f"the statement takes {self.count} values, {len(values)} given")
            return values
        if not isinstance(parameters, Mapping):
            raise TypeError("a statement with :name placeholders takes a mapping")
        return [parameters[name] for name in self.names]


@lru_cache(maxsize=1024)
def translate(sql: str) -> Translated:
    """``sql`` with ``?`` / ``:name`` rewritten as ``$n`` (one statement's placeholders
    are all of one kind, as sqlite3 requires too)."""
    positional = 0
    names: list[str] = []
    kinds: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        if match.group("copy") is not None:
            return match.group("copy")
        if match.group("positional") is not None:
            kinds.add("?")
            positional += 1
            return f"${positional}"
        kinds.add(":")
        name = match.group("name")
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = _TOKEN.sub(replace, sql)
    if len(kinds) > 1:
        raise ValueError("a statement mixes ? and :name placeholders")
    if ":" in kinds:
        return Translated(text, len(names), tuple(names))
    return Translated(text, positional, None)
