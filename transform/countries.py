"""Country names as the registry spells them -> ISO 3166-1 alpha-2, as a table of spellings.

The build writes `spelling_rows()` into core.country_spelling, and core.ctgov_location joins
it, so the model is plain SQL that runs in any duckdb shell; `iso_country` answers from the
same rows, so Python and SQL cannot disagree.

Two steps, neither of them a guess:
1. REGISTRY_SPELLINGS, an explicit table of the registry's own spellings, old ones included;
2. pycountry's exact lookup (ISO 3166-1 names, official and common names, alpha-2/alpha-3 and
   numeric codes, compared case-insensitively).
A name neither step knows is unknown: iso_country returns None, core.ctgov_location keeps the
raw spelling with a NULL country_code, the marts count it as its own row under that spelling,
and warehouse.build.unknown_country_spellings lists it so that the table can grow by one line.
There is deliberately no fuzzy matching: pycountry's search_fuzzy mapped "Zaire" to Angola.

Where the spellings come from: the API describes `locations[].country` as a plain string with
no list of values (reference/ctgov/ctg-oas-v2.yaml, schema Location, no enum). Sponsors pick
it from ClinicalTrials.gov's own country list, which keeps names ISO has since changed or
withdrawn; its classic search form's "Country" list (classic.clinicaltrials.gov/ct2/search,
as copied into public clients' code) has "Libyan Arab Jamahiriya", "Netherlands Antilles",
"Virgin Islands (U.S.)", "Former Yugoslavia", "Former Serbia and Montenegro", "Swaziland",
"Macedonia, The Former Yugoslav Republic of" and "Congo, The Democratic Republic of the".
"Palestinian Territory, occupied" and "Zaire" are registry spellings that project issue 11
lists. reference/README.md names the variants "Korea, Republic of",
"Iran, Islamic Republic of", "Turkey (Türkiye)" and "Czechia".

Names of countries that no longer exist get their ISO 3166-3 (withdrawn) alpha-2 code, as
pycountry.historic_countries holds it, never a present-day successor: a trial in "Netherlands
Antilles" may have run in Curaçao, Sint Maarten or Bonaire (CW, SX, BQ), one in "Former
Yugoslavia" in any of seven countries, so naming one of them would be a wrong fact while the
historic code is merely an old one. Hence AN (Netherlands Antilles, withdrawn 2010), YU
(Yugoslavia, withdrawn 2003) and CS (Serbia and Montenegro, withdrawn 2006; RS before, which
put Montenegro's trials in Serbia). A renamed country whose territory did not change maps to
its present code: Zaire -> CD, Swaziland -> SZ, Libyan Arab Jamahiriya -> LY.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

# The registry's spellings that pycountry's exact lookup does not resolve, or resolves to
# something else; keys lower-case. A new spelling is a one-line change here.
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
    "zaire": "CD",  # renamed 1997, same territory
    "syrian arab republic": "SY",
    "lao people's democratic republic": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "palestinian territories, occupied": "PS",
    "palestinian territory, occupied": "PS",
    "libyan arab jamahiriya": "LY",  # renamed 2011, same territory
    "swaziland": "SZ",  # renamed Eswatini 2018, same territory
    "cape verde": "CV",  # renamed Cabo Verde 2013, same territory
    "virgin islands (u.s.)": "VI",
    "hong kong": "HK",
    "kosovo": "XK",  # not in ISO 3166-1; XK is the user-assigned code in common use
    # No present-day country: ISO 3166-3 withdrawn codes (see the module docstring).
    "netherlands antilles": "AN",
    "former yugoslavia": "YU",
    "former serbia and montenegro": "CS",
}
# Short names for display, where the ISO name is long or political wording differs, and the
# names of the withdrawn codes (pycountry.countries does not know them).
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
    "AN": "Netherlands Antilles",
    "YU": "Former Yugoslavia",
    "CS": "Former Serbia and Montenegro",
}


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Lower-case spelling -> alpha-2: every key pycountry's exact lookup accepts (alpha-2,
    alpha-3, numeric code, name, official and common name), then the registry's own spellings,
    which win where the two differ."""
    found: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "numeric", "name", "official_name",
                          "common_name"):
            value = getattr(country, attribute, None)
            if value:
                found.setdefault(value.lower(), country.alpha_2)
    return found | REGISTRY_SPELLINGS


def spelling_rows() -> list[tuple[str, str, str]]:
    """(spelling, country_code, country) for core.country_spelling."""
    return [(key, code, display_name(code)) for key, code in sorted(_spellings().items())]


@lru_cache(maxsize=4096)
def iso_country(name: str | None) -> dict | None:
    """{'code': 'KR', 'name': 'Korea'} for 'Korea, Republic of'; None when unknown."""
    if not name or not name.strip():
        return None
    code = _spellings().get(name.strip().lower())
    if code is None:
        return None
    return {"code": code, "name": display_name(code)}


def display_name(code: str) -> str:
    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
