"""Registry spellings map to ISO 3166-1 alpha-2; unknown names stay unknown, never guessed."""

from __future__ import annotations

import pytest

from transform.countries import iso_country


@pytest.mark.parametrize(
    ("name", "code", "shown"),
    [
        ("China", "CN", "China"),
        ("Korea, Republic of", "KR", "Korea"),
        ("Iran, Islamic Republic of", "IR", "Iran"),
        ("Turkey (Türkiye)", "TR", "Turkey"),
        ("Türkiye", "TR", "Turkey"),
        ("Czechia", "CZ", "Czechia"),
        ("Czech Republic", "CZ", "Czechia"),
        ("Taiwan", "TW", "Taiwan"),
        ("United States", "US", "United States"),
        ("Egypt", "EG", "Egypt"),
        ("Viet Nam", "VN", "Vietnam"),
        ("  Spain ", "ES", "Spain"),
    ],
)
def test_registry_spellings(name, code, shown):
    assert iso_country(name) == {"code": code, "name": shown}


@pytest.mark.parametrize("name", [None, "", "   ", "Atlantis"])
def test_unknown_or_empty_is_none(name):
    assert iso_country(name) is None
