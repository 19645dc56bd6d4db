"""Every nonce builder stays within Discord's 25 characters at the largest ids, and
nonces of different purposes never collide."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import nonces
from bot.ui.limits import NONCE

SNOWFLAKE = st.integers(min_value=0, max_value=2**63 - 1)
ROW_ID = st.integers(min_value=0, max_value=2**31 - 1)
PART = st.one_of(st.just("c0"), st.just("c12"), SNOWFLAKE.map(nonces.user_part))


@given(ROW_ID, PART)
def test_timer_nonces_fit_with_their_dm_fallback(timer_id: int, part: str) -> None:
    nonce = nonces.timer(timer_id, part)
    assert len(nonce) < NONCE
    assert len(nonces.fallback(nonce)) <= NONCE
    assert nonces.fallback(nonce) != nonce


@given(ROW_ID, st.integers(min_value=0, max_value=9999), PART)
def test_session_nonces_fit(session_id: int, sequence: int, part: str) -> None:
    for nonce in (
        nonces.session_card(session_id),
        nonces.session_promotion(session_id),
        nonces.session_edit(session_id, sequence, part),
        nonces.session_cancel(session_id, part),
    ):
        assert len(nonces.fallback(nonce)) <= NONCE


def test_purposes_do_not_collide() -> None:
    made = {
        nonces.timer(7),
        nonces.session_card(7),
        nonces.session_promotion(7),
        nonces.session_edit(7, 1, "c0"),
        nonces.session_cancel(7, "c0"),
    }
    assert len(made) == 5


def test_an_overlong_nonce_becomes_a_stable_digest() -> None:
    long = nonces.timer(1, "x" * 30)
    assert len(long) < NONCE
    assert long == nonces.timer(1, "x" * 30)  # deterministic: a retry reuses it
    assert long != nonces.timer(1, "y" * 30)
    with pytest.raises(ValueError, match="not made by a builder"):
        nonces.fallback("x" * 30)
