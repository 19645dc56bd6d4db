"""Tests for forgiving timezone lookup, autocomplete suggestions and labels."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest

from bot.errors import InvalidInput
from bot.time.timezones import (
    COMMON_ZONES,
    find_exact_zone,
    resolve_zone,
    suggest_zones,
    zone_label,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Africa/Lagos", "Africa/Lagos"),
        ("africa/lagos", "Africa/Lagos"),
        ("AFRICA/LAGOS", "Africa/Lagos"),
        ("lagos", "Africa/Lagos"),
        ("  Lagos ", "Africa/Lagos"),
        ("New York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("new-york", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("London", "Europe/London"),
        ("Europe/London", "Europe/London"),
        ("nairobi", "Africa/Nairobi"),
        ("kolkata", "Asia/Kolkata"),
        ("sao paulo", "America/Sao_Paulo"),
        ("port au prince", "America/Port-au-Prince"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("argentina/buenos_aires", "America/Argentina/Buenos_Aires"),
        ("indianapolis", "America/Indiana/Indianapolis"),
        ("utc", "UTC"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        # legacy aliases are accepted when typed exactly
        ("US/Eastern", "US/Eastern"),
        ("Etc/GMT+5", "Etc/GMT+5"),
    ],
)
def test_resolve_zone(text: str, expected: str) -> None:
    assert resolve_zone(text) == expected
    ZoneInfo(expected)  # a real zone


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("lagoss", "`Africa/Lagos`"),
        ("Europe/Londn", "`Europe/London`"),
        ("new yrok", "`America/New_York`"),
        ("nairob", "`Africa/Nairobi`"),
    ],
)
def test_unknown_zone_names_the_input_and_suggests(text: str, suggestion: str) -> None:
    with pytest.raises(InvalidInput) as err:
        resolve_zone(text)
    msg = err.value.message
    assert f"`{text}`" in msg
    assert suggestion in msg
    assert "e.g. `Lagos` or `Africa/Lagos`" in msg
    offered = msg.split("Did you mean ")[1].split("?")[0].split(", ")
    assert 1 <= len(offered) <= 3
    assert all(ZoneInfo(name.strip("`")) for name in offered)


@pytest.mark.parametrize("text", ["xyzzy", "", "   "])
def test_unknown_zone_without_suggestions_still_shows_an_example(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        resolve_zone(text)
    assert "`Africa/Lagos`" in err.value.message


@pytest.mark.parametrize("text", ["UTC+1", "gmt-3", "+05:30", "utc +1"])
def test_offsets_are_refused_with_advice(text: str) -> None:
    with pytest.raises(InvalidInput, match="offset, not a timezone"):
        resolve_zone(text)


def test_posix_and_right_zones_are_not_accepted() -> None:
    assert find_exact_zone("posix/Africa/Lagos") is None
    assert find_exact_zone("right/UTC") is None
    assert find_exact_zone("localtime") is None
    assert find_exact_zone("Africa/Lagos") == "Africa/Lagos"
    assert find_exact_zone("lagos") is None  # exact names only; resolve_zone is forgiving


def test_suggest_empty_query_gives_common_zones() -> None:
    result = suggest_zones("")
    assert result[0] == "Africa/Lagos"
    for zone in ("Africa/Nairobi", "Africa/Cairo", "Africa/Johannesburg", "Africa/Accra"):
        assert zone in result
    for zone in ("Europe/London", "UTC", "America/New_York", "Asia/Kolkata"):
        assert zone in result
    assert result == list(COMMON_ZONES)[:25]
    assert suggest_zones("", limit=3) == ["Africa/Lagos", "Africa/Nairobi", "Africa/Cairo"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("lag", "Africa/Lagos"),
        ("Lagos", "Africa/Lagos"),
        ("new", "America/New_York"),
        ("new york", "America/New_York"),
        ("london", "Europe/London"),
        ("europe/lon", "Europe/London"),
        ("nair", "Africa/Nairobi"),
        ("kolk", "Asia/Kolkata"),
        ("utc", "UTC"),
    ],
)
def test_suggest_ranks_city_prefix_first(query: str, first: str) -> None:
    assert suggest_zones(query)[0] == first


def test_suggest_matches_substrings_and_regions() -> None:
    assert "America/New_York" in suggest_zones("york")
    europe = suggest_zones("europe", limit=100)
    assert europe and all(name.startswith("Europe/") for name in europe)
    assert "America/Argentina/Buenos_Aires" in suggest_zones("argentina")


def test_suggestions_are_bounded_real_and_never_legacy() -> None:
    real = available_timezones()
    for query in ("a", "e", "america", "us", "eastern", "gmt", "x"):
        result = suggest_zones(query)
        assert len(result) <= 25
        assert len(result) == len(set(result))
        for name in result:
            assert name in real
            assert len(name) <= 100
            assert not name.startswith(("US/", "Etc/", "posix/", "right/"))
    assert suggest_zones("a", limit=5) == suggest_zones("a")[:5]
    assert suggest_zones("zzzzqqq") == []
    assert suggest_zones("a", limit=0) == []


def test_zone_label() -> None:
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, tzinfo=UTC)
    assert zone_label("Africa/Lagos", winter) == "Africa/Lagos (UTC+01:00)"
    assert zone_label("America/New_York", winter) == "America/New_York (UTC-05:00)"
    assert zone_label("America/New_York", summer) == "America/New_York (UTC-04:00)"
    assert zone_label("Asia/Kolkata", summer) == "Asia/Kolkata (UTC+05:30)"
    assert zone_label("UTC", summer) == "UTC (UTC+00:00)"
    with pytest.raises(InvalidInput):
        zone_label("Mars/Olympus_Mons", summer)
    with pytest.raises(ValueError, match="aware"):
        zone_label("UTC", summer.replace(tzinfo=None))
