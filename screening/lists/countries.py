"""Country names as the lists spell them -> ISO 3166 alpha-2.

pycountry knows the ISO names; sanctions lists use their own spellings ("Korea, North",
"Iran (Islamic Republic of)", "Burma", bilingual Canadian values like "Russia / Russie").
The alias table covers those; anything else falls back to pycountry's exact lookups.
Unknown names return None (never a guess).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

_ALIASES: dict[str, str] = {
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "korea, democratic people's republic of": "KP",
    "dprk": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "burma": "MM",
    "iran": "IR",
    "iran (islamic republic of)": "IR",
    "islamic republic of iran": "IR",
    "russia": "RU",
    "russian federation": "RU",
    "syria": "SY",
    "syrian arab republic": "SY",
    "the syrian arab republic": "SY",
    "turkey": "TR",
    "turkiye": "TR",
    "türkiye": "TR",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "lao people's democratic republic": "LA",
    "moldova": "MD",
    "republic of moldova": "MD",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "venezuela": "VE",
    "venezuela (bolivarian republic of)": "VE",
    "bolivia": "BO",
    "bolivia (plurinational state of)": "BO",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD",
    "drc": "CD",
    "congo (democratic republic)": "CD",  # the UK lists' spelling
    "congo": "CG",
    "republic of the congo": "CG",
    "congo, republic of the": "CG",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "cote d ivoire": "CI",
    "palestinian": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "occupied palestinian territory": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "the united kingdom of great britain and northern ireland": "GB",
    "britain": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "kosovo": "XK",
    "macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "north macedonia": "MK",
    "north macedonia, the republic of": "MK",
    "czech republic": "CZ",
    "czechia": "CZ",
    "bosnia-herzegovina": "BA",
    "bosnia and herzegovina": "BA",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "micronesia": "FM",
    "st. kitts and nevis": "KN",
    "saint kitts and nevis": "KN",
    "st. lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "the bahamas": "BS",
    "bahamas": "BS",
    "the gambia": "GM",
    "gambia": "GM",
    "the netherlands": "NL",
    "netherlands": "NL",
    "holland": "NL",
    "taiwan": "TW",
    "taiwan, province of china": "TW",
    "hong kong": "HK",
    "china, hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "vatican city": "VA",
    "holy see": "VA",
    "curacao": "CW",
    "sint maarten": "SX",
    "timor-leste": "TL",
    "east timor": "TL",
    "west bank and gaza": "PS",
    "region: gaza": "PS",
    "region: northern mali": "ML",
    "united arab emirates": "AE",
    "uae": "AE",
    "soviet union": "SU",
    "ussr": "SU",
    "yugoslavia": "YU",
    "serbia and montenegro": "CS",
    "netherlands antilles": "AN",
    "british virgin islands": "VG",
    "virgin islands, british": "VG",
    "virgin islands (british)": "VG",
    "the democratic republic of the congo": "CD",
    "sudan, south": "SS",
    "south sudan": "SS",
    "palestinian territories": "PS",
    "crimea": "UA",
    "region: crimea": "UA",
    "ukraine (crimea)": "UA",
}

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def to_iso2(name: str | None) -> str | None:
    """ISO 3166 alpha-2 for a country as a list spells it, or None when unknown."""
    if not name:
        return None
    text = _SPACES.sub(" ", name).strip().strip(".").strip()
    if not text:
        return None
    # Canada publishes bilingual values: "Russia / Russie".
    if " / " in text:
        for part in text.split(" / "):
            code = to_iso2(part)
            if code:
                return code
        return None
    key = text.lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
        return country.alpha_2 if country else None
    if len(text) == 3 and text.isalpha():
        country = pycountry.countries.get(alpha_3=text.upper())
        if country:
            return country.alpha_2
    for attr in ("name", "official_name", "common_name"):
        try:
            country = pycountry.countries.get(**{attr: text})  # type: ignore[arg-type]
        except (KeyError, LookupError):
            country = None
        if country:
            return country.alpha_2
    # "Country (detail)" or "The X": drop the qualifier and retry once.
    stripped = re.sub(r"\s*\(.*?\)\s*$", "", text)
    if stripped.lower().startswith("the "):
        stripped = stripped[4:]
    if stripped and stripped != text:
        return to_iso2(stripped)
    return None


def to_iso2_list(names: list[str | None]) -> list[str]:
    """Distinct ISO codes, in order, for the names that resolve."""
    out: list[str] = []
    for name in names:
        code = to_iso2(name)
        if code and code not in out:
            out.append(code)
    return out
