"""How Q&A results show user text: escaped for markdown, with the regex skipped only
where it would change nothing."""

from __future__ import annotations

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.qa import render

# Letters and spaces, every character markdown or a link can start with, and the rest
# of what a title holds (brackets, parentheses, slashes, dots, digits, newlines).
TEXT = st.text(alphabet="ab _\\~|*`>[]()#-:</.1\nhttps", max_size=40)


@settings(max_examples=3000)
@given(TEXT)
def test_a_text_the_check_passes_over_is_one_escape_markdown_leaves_alone(text: str) -> None:
    if render._MARKDOWN_CHARS.search(text) is None:
        assert discord.utils.escape_markdown(text) == text


def test_plain_escapes_markdown_keeps_links_and_swaps_brackets() -> None:
    assert render.plain("Why  does\nasync   hang", 100) == "Why does async hang"
    assert render.plain("a *bold* __claim__", 100) == r"a \*bold\* \_\_claim\_\_"
    assert render.plain("see https://x.io/a_b now", 100) == "see https://x.io/a_b now"
    assert render.plain("[click](https://evil)", 100) == r"\⟦click⟧(https://evil)"
    assert render.plain("# heading", 100) == r"\# heading"
    assert render.plain("- item", 100) == r"\- item"
