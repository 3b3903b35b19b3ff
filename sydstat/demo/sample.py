"""The bundled offline sample: SYNTHETIC Kolada-shaped data for the 38 municipalities, generated deterministically.

Values are invented (plausible ranges, a shared 'socio-economic pressure' per municipality so indicators co-move,
a business cycle, women/men gaps, a few nulls). They are never real statistics: the demo marks the source synthetic
in dim_source and in the CLI output. KPI ids and titles are Kolada's real ones, so the real client code is exercised.
"""

from __future__ import annotations

import hashlib
from datetime import date

SAMPLE_YEARS = list(range(2010, 2026))
SAMPLE_UPDATED = date(2026, 1, 15)  # the 'last changed' date of every generated value

# id: (title, divided by sex, municipality_type, low, high, direction, decimals)
SAMPLE_KPIS: dict[str, tuple] = {
    "N01951": ("Invånare totalt, antal", True, "A", 0, 0, "population", 0),
    "N03920": ("Arbetslösa av befolkningen, 18-65 år, andel (%)", True, "A", 3.0, 14.0, "worse", 1),
    "N03937": ("Öppet arbetslösa av befolkningen, 18-65 år, andel (%)", True, "A", 1.5, 8.0, "worse", 1),
    "N03926": ("Långtidsarbetslösa i befolkningen, 25-65 år, andel (%)", True, "A", 0.5, 6.0, "worse", 1),
    "N03935": ("Arbetslösa av befolkningen, 18-24 år, andel (%)", True, "K", 3.0, 15.0, "worse", 1),
    "N02797": ("Invånare 16-24 år som varken arbetar eller studerar, andel (%)", True, "A", 3.0, 12.0, "worse", 1),
    "N02267": ("Sysselsättningsgrad 20-64 år, andel (%)", True, "A", 68.0, 86.0, "better", 1),
    "N02268": ("Sysselsättningsgrad, utrikes födda 20-64 år, andel (%)", True, "A", 45.0, 72.0, "better", 1),
    "N02269": ("Sysselsättningsgrad, inrikes födda 20-64 år, andel (%)", True, "A", 78.0, 90.0, "better", 1),
    "N02926": ("Utrikes födda, andel (%)", True, "K", 8.0, 36.0, "worse", 1),
    "N61984": ("Inrikes födda med två utrikes födda föräldrar, andel (%)", True, "A", 2.0, 14.0, "worse", 1),
    "N15822": (
        "Utländsk bakgrund bland elever i åk 1-9, kommunala skolor, andel (%)",
        False,
        "K",
        8.0,
        60.0,
        "worse",
        0,
    ),
    "N15826": (
        "Utländsk bakgrund bland elever, fristående grundskola åk 1-9, andel (%)",
        False,
        "K",
        5.0,
        55.0,
        "worse",
        0,
    ),
    "N66080": ("Invånare med låg ekonomisk standard, andel (%)", False, "A", 8.0, 25.0, "worse", 1),
    "N66077": ("Invånare, 0-19 år, med låg ekonomisk standard, andel (%)", False, "A", 8.0, 35.0, "worse", 1),
    "N00906": ("Sammanräknad förvärvsinkomst i åldern 20-64 år (median), kr", True, "A", 250000, 420000, "better", 0),
    "N31807": (
        "Invånare som någon gång under året erhållit ekonomiskt bistånd, andel (%) av bef.",
        False,
        "A",
        1.5,
        11.0,
        "worse",
        1,
    ),
    "U31803": (
        "Barn i befolkningen som ingår i familjer med ekonomiskt bistånd, andel (%)",
        False,
        "K",
        2.0,
        20.0,
        "worse",
        1,
    ),
    "N01982": ("Invånare 25-64 år med eftergymnasial utbildning, andel (%)", True, "A", 25.0, 70.0, "better", 1),
    "N00957": ("Ohälsotal, dagar", True, "A", 18.0, 40.0, "worse", 1),
    "N00938": ("Sjukpenningtalet, 16–64 år, dagar/registrerad försäkrad", True, "K", 6.0, 14.0, "worse", 1),
    "N00923": ("Medellivslängd män, år", False, "A", 77.0, 83.0, "better", 1),
    "N00925": ("Medellivslängd kvinnor, år", False, "A", 81.0, 86.0, "better", 1),
    "U01405": ("Invånare med bra självskattat hälsotillstånd, andel (%)", True, "A", 62.0, 80.0, "better", 0),
    "N01452": ("Invånare 16-84 år med allvarlig psykisk påfrestning, andel (%)", True, "A", 10.0, 22.0, "worse", 0),
}

# Business cycle of unemployment-like indicators (1.0 = normal), to make trends look like trends.
_CYCLE = {
    2010: 1.15,
    2011: 1.05,
    2012: 1.08,
    2013: 1.12,
    2014: 1.08,
    2015: 1.02,
    2016: 0.97,
    2017: 0.93,
    2018: 0.9,
    2019: 0.93,
    2020: 1.18,
    2021: 1.12,
    2022: 0.95,
    2023: 0.97,
    2024: 1.04,
    2025: 1.06,
}


def _unit_random(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def region_municipalities() -> list[dict]:
    """The configured region's municipalities (sydstat/region.py): the sample follows the region, so
    `SYDSTAT_REGION=13 sydstat demo` builds a synthetic Halland."""
    from core.region import region_municipalities as configured

    return configured()


def kpi_metadata() -> list[dict]:
    """Kolada v3 /kpi records for the sample KPIs."""
    return [
        {
            "id": kpi_id,
            "title": title,
            "description": f"{title}. SYNTETISKA DEMODATA i sydstat.",
            "is_divided_by_gender": divided,
            "municipality_type": mtype,
            "auspice": "X",
            "operating_area": "",
            "perspective": "",
            "prel_publication_date": None,
            "publication_date": "2026-02-24",
            "publ_period": "2025",
            "has_ou_data": False,
        }
        for kpi_id, (title, divided, mtype, *_rest) in SAMPLE_KPIS.items()
    ]


def municipality_records() -> list[dict]:
    """Kolada v3 /municipality records: Riket, the region's counties ('00LL', type L) and its municipalities."""
    from core.region import counties, region

    names = {c["county_code"]: c["county_name"] for c in counties()}
    records = [{"id": "0000", "title": "Riket", "type": "L"}]
    records += [
        {"id": f"00{c}", "title": "Region " + names[c].removesuffix(" län").removesuffix("s"), "type": "L"}
        for c in region().county_codes
    ]
    records += [
        {"id": m["municipality_code"], "title": m["municipality_name"], "type": "K"} for m in region_municipalities()
    ]
    return records


def _pressure(code: str) -> float:
    """A made-up socio-economic pressure in [0, 1] per municipality, so related indicators move together."""
    known = {
        "1280": 0.95,
        "1282": 0.85,
        "1260": 0.8,
        "1277": 0.75,
        "1275": 0.7,
        "1283": 0.65,
        "1233": 0.05,
        "1262": 0.05,
        "1281": 0.35,
        "1230": 0.15,
    }
    return known.get(code, 0.2 + 0.55 * _unit_random("pressure", code))


def generate_values(years: list[int] | None = None) -> dict[tuple[str, str, int], dict]:
    """{(kpi, municipality, year): {"values": {sex: value|None}, "updated": date, "deleted": False}}."""
    years = years or SAMPLE_YEARS
    data: dict[tuple[str, str, int], dict] = {}
    for muni in region_municipalities():
        code = muni["municipality_code"]
        p = _pressure(code)
        population = int(7000 + 110000 * _unit_random("pop", code) ** 3)
        population = {"1280": 350000, "1283": 150000, "1281": 125000, "1290": 86000}.get(code, population)
        for kpi_id, (_title, divided, _mtype, low, high, direction, decimals) in SAMPLE_KPIS.items():
            for year in years:
                t = (year - years[0]) / max(1, len(years) - 1)
                noise = (_unit_random(kpi_id, code, year) - 0.5) * 0.08
                if direction == "population":
                    total = population * (1 + 0.008 * (year - 2010) * (1 + p))
                    base = {"T": round(total), "K": round(total * 0.503), "M": round(total * 0.497)}
                else:
                    level = 0.15 + 0.7 * (p if direction == "worse" else 1 - p) + noise
                    if kpi_id.startswith(("N039", "N027")):
                        level *= _CYCLE.get(year, 1.0)
                    elif direction == "better":
                        level += 0.06 * t
                    total = low + (high - low) * min(max(level, 0.0), 1.05)
                    gap = 0.06 * (1 if _unit_random("gap", kpi_id) > 0.5 else -1)
                    base = {"T": total, "K": total * (1 + gap), "M": total * (1 - gap)}
                    base = {s: round(v, decimals) if decimals else round(v) for s, v in base.items()}
                values = base if divided else {"T": base["T"]}
                if _unit_random("null", kpi_id, code, year) < 0.015:
                    values = dict.fromkeys(values)  # suppressed in the source: null, never 0
                data[(kpi_id, code, year)] = {"values": values, "updated": SAMPLE_UPDATED, "deleted": False}
    return data
