"""Registry spellings map to ISO 3166-1 alpha-2; unknown names stay unknown, never guessed."""

from __future__ import annotations

import pycountry
import pytest

from transform.countries import REGISTRY_SPELLINGS, iso_country


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


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Libyan Arab Jamahiriya", "LY"),
        ("Virgin Islands (U.S.)", "VI"),
        ("Swaziland", "SZ"),
        ("Palestinian Territory, occupied", "PS"),
        ("Zaire", "CD"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Macedonia, The Former Yugoslav Republic of", "MK"),
        ("Cape Verde", "CV"),
    ],
)
def test_old_spellings_of_present_countries(name, code):
    """Renamed countries whose territory did not change: their present code."""
    assert iso_country(name)["code"] == code


@pytest.mark.parametrize(
    ("name", "code", "shown"),
    [
        ("Netherlands Antilles", "AN", "Netherlands Antilles"),
        ("Former Yugoslavia", "YU", "Former Yugoslavia"),
        ("Former Serbia and Montenegro", "CS", "Former Serbia and Montenegro"),
    ],
)
def test_countries_that_no_longer_exist_keep_their_withdrawn_code(name, code, shown):
    """No present-day country stands for them (module docstring): ISO 3166-3's old code."""
    assert iso_country(name) == {"code": code, "name": shown}
    assert pycountry.historic_countries.get(alpha_2=code) is not None
    assert pycountry.countries.get(alpha_2=code) is None


def test_zaire_is_the_democratic_republic_of_the_congo_not_angola():
    """The fuzzy match this module once made put Zaire's trials in Angola."""
    assert iso_country("Zaire") == iso_country("Congo, The Democratic Republic of the")
    assert iso_country("Zaire")["code"] == "CD"


@pytest.mark.parametrize("name", [None, "", "   ", "Atlantis"])
def test_unknown_or_empty_is_none(name):
    assert iso_country(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "New Guinea",  # an island shared by Papua New Guinea and Indonesia
        "Saint Martin",  # an island shared by France (MF) and the Netherlands (SX)
        "Macedonia",  # also a region of Greece
        "Zanzibar",  # part of Tanzania, but not a name the table or ISO lists
    ],
)
def test_names_a_fuzzy_match_resolved_stay_unknown(name):
    """pycountry's search_fuzzy answered each of these with one country; none is a spelling
    the table or ISO knows, so none is mapped: the raw name is counted as it is."""
    assert iso_country(name) is None


@pytest.mark.parametrize("name", ["Germany", "germany", "DE", "DEU", "276", "Iran"])
def test_exact_iso_names_and_codes_resolve(name):
    assert iso_country(name) is not None


def test_every_table_code_is_an_iso_code():
    """A typo in the table would invent a country: each code is ISO 3166-1, withdrawn
    (ISO 3166-3) or Kosovo's user-assigned XK."""
    for spelling, code in REGISTRY_SPELLINGS.items():
        known = (pycountry.countries.get(alpha_2=code)
                 or pycountry.historic_countries.get(alpha_2=code) or code == "XK")
        assert known, spelling
        assert spelling == spelling.lower(), "keys are compared lower-case"
