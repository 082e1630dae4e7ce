"""Country names as the registry spells them -> ISO 3166-1 alpha-2 (a DuckDB function).

pycountry knows the ISO names and most common ones; the registry adds its own spellings
(shared/reference/README.md), listed here so that a new one is a one-line change.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

# The registry's spellings that pycountry's lookup does not resolve, or resolves wrongly.
REGISTRY_SPELLINGS = {
    "korea, republic of": "KR",
    "republic of korea": "KR",
    "south korea": "KR",
    "korea, democratic people's republic of": "KP",
    "iran, islamic republic of": "IR",
    "turkey (türkiye)": "TR",
    "türkiye": "TR",
    "turkey": "TR",
    "czechia": "CZ",
    "czech republic": "CZ",
    "taiwan": "TW",
    "russian federation": "RU",
    "russia": "RU",
    "vietnam": "VN",
    "viet nam": "VN",
    "moldova, republic of": "MD",
    "macedonia, the former yugoslav republic of": "MK",
    "north macedonia": "MK",
    "tanzania": "TZ",
    "congo, the democratic republic of the": "CD",
    "syrian arab republic": "SY",
    "lao people's democratic republic": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "palestinian territories, occupied": "PS",
    "hong kong": "HK",
    "former serbia and montenegro": "RS",
    "kosovo": "XK",
}
# Short names for display, where the ISO name is long or political wording differs.
DISPLAY_NAMES = {
    "KR": "Korea",
    "IR": "Iran",
    "TW": "Taiwan",
    "RU": "Russia",
    "VN": "Vietnam",
    "TR": "Turkey",
    "GB": "United Kingdom",
    "US": "United States",
    "XK": "Kosovo",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "SY": "Syria",
    "MD": "Moldova",
    "LA": "Laos",
}


@lru_cache(maxsize=4096)
def iso_country(name: str | None) -> dict | None:
    """{'code': 'KR', 'name': 'Korea'} for 'Korea, Republic of'; None when unknown."""
    if not name or not name.strip():
        return None
    key = name.strip().lower()
    code = REGISTRY_SPELLINGS.get(key)
    if code is None:
        try:
            code = pycountry.countries.lookup(name.strip()).alpha_2
        except LookupError:
            matches = _fuzzy(name.strip())
            if matches is None:
                return None
            code = matches
    return {"code": code, "name": display_name(code)}


def display_name(code: str) -> str:
    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def _fuzzy(name: str) -> str | None:
    """Only an unambiguous fuzzy match: a wrong country is worse than 'unknown'."""
    try:
        found = pycountry.countries.search_fuzzy(name)
    except LookupError:
        return None
    return found[0].alpha_2 if len(found) == 1 else None
