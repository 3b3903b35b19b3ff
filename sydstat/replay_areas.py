"""SYNTHETIC DeSO composition tables for the fake SCB PxWebApi 2.0, in the shapes public scripts show for the real ones
(variable codes, value codes and labels; the values are invented):

- TAB6685 (HE0110I/Tab4InkDesoRegso): Region × Alder × ContentsCode (low / high economic standard in %, persons) × Tid.
  SCB publishes the share, not a count; a few cells are suppressed ('..').
- TAB5956 (UF0506D/UtbSUNBefDesoRegso): Region × UtbildningsNiva × ContentsCode (000005MO Befolkning) × Tid, 25-64 år.
- TAB6680 (AM0210G/ArRegDesoStatusN): Region × Kon (1, 2, 1+2) × Alder × ContentsCode (five counts, two of them sums of
  the others) × Tid.

Every figure follows the DeSO's population and foreign-background share in the background table (TAB6571) —
`profiles_of(cells)`, computed once and passed to each table's builder — so the demo's three themes move together the
way they do in the real statistics. Codes marked synthetic are not confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sydstat import sample

ECONOMIC_TABLE, EDUCATION_TABLE, LABOUR_TABLE = "TAB6685", "TAB5956", "TAB6680"
ECONOMIC_AGES = {"tot": "totalt ålder", "0-19": "0-19 år", "20-64": "20-64 år", "20-65": "20-65 år", "65+": "65+ år",
                 "66+": "66+ år"}
ECONOMIC_CONTENTS = {"000008AC": "Låg ekonomisk standard, procent",
                     "000008AD": "Hög ekonomisk standard, procent",      # synthetic code
                     "000008AE": "Antal personer totalt"}                # synthetic code
EDUCATION_LEVELS = {"21": "förgymnasial utbildning", "3+4": "gymnasial utbildning",
                    "5": "eftergymnasial utbildning, mindre än 3 år", "6": "eftergymnasial utbildning, 3 år eller mer",
                    "US": "uppgift om utbildningsnivå saknas"}
LABOUR_AGES = {"15-74": "15-74 år", "16-64": "16-64 år", "16-65": "16-65 år", "20-64": "20-64 år", "20-65": "20-65 år"}
LABOUR_CONTENTS = {"0000089X": "antal sysselsatta", "0000089V": "antal arbetslösa",            # 89V, 89W, 89Z:
                   "0000089W": "antal sysselsatta och arbetslösa (arbetskraften)",           # synthetic codes
                   "0000089Z": "antal personer utanför arbetskraften", "0000089Y": "antal totalt"}
LABOUR_AGE_SHARE = {"15-74": 0.74, "16-64": 0.62, "16-65": 0.63, "20-64": 0.56, "20-65": 0.57}


def profiles_of(cells: dict) -> dict[tuple[str, str], tuple[int, float]]:
    """(DeSO, year) → (persons, foreign-background share) from the background table's cells."""
    totals: dict = defaultdict(lambda: [0, 0])
    for (deso, background, _sex, year), persons in cells.items():
        totals[(deso, year)][0] += persons or 0
        totals[(deso, year)][1] += (persons or 0) if background == "1" else 0
    return {key: (total, foreign / total if total else 0.0) for key, (total, foreign) in totals.items()}


def _years(profiles: dict, first: int, last: int) -> list[str]:
    return sorted({y for _d, y in profiles if first <= int(y) <= last})


def economic_standard(profiles: dict) -> tuple[dict, Callable]:
    """Low economic standard rises with the foreign-background share and the municipality's pressure."""
    regions = sorted({d for d, _y in profiles})

    def value(key: tuple) -> float | None:
        deso, age, contents, year = key
        persons, foreign = profiles.get((deso, year), (0, 0.0))
        in_households = round(persons * 0.985 * {"tot": 1.0, "0-19": 0.23, "20-64": 0.56, "20-65": 0.57,
                                                 "65+": 0.21, "66+": 0.2}[age])
        if contents == "000008AE":
            return float(in_households)
        if sample._unit_random("econ-suppressed", deso, year) < 0.004:
            return None  # too few persons with a computed standard: SCB suppresses the share
        pressure = sample._pressure(deso[:4])
        low = 3 + 42 * foreign * (0.6 + pressure) + 5 * sample._unit_random("econ", deso) + 0.1 * (int(year) - 2015)
        if contents == "000008AC":
            return round(min(low, 75.0), 1)
        return round(max(2.0, 30 - 0.4 * low + 10 * sample._unit_random("high", deso)), 1)

    dims = {"Region": {r: r for r in regions}, "Alder": ECONOMIC_AGES, "ContentsCode": ECONOMIC_CONTENTS,
            "Tid": {y: y for y in _years(profiles, 2011, 2024)}}
    return dims, value


def education_level(profiles: dict) -> tuple[dict, Callable]:
    """25-64-year-olds by education level: fewer with a long post-secondary education where the foreign-background
    share is high; gymnasial takes the rest, so the levels add up to the age group."""

    def value(key: tuple) -> float | None:
        deso, level, _contents, year = key
        persons, foreign = profiles.get((deso, year), (0, 0.0))
        n = round(persons * 0.52)
        trend = 0.004 * (int(year) - 2015)
        shares = {"21": 0.07 + 0.22 * foreign, "5": 0.12, "US": 0.01 + 0.03 * foreign,
                  "6": max(0.05, 0.34 - 0.28 * foreign + 0.12 * sample._unit_random("edu", deso) + trend)}
        counts = {k: round(n * s) for k, s in shares.items()}
        counts["3+4"] = n - sum(counts.values())
        return float(counts[level])

    dims = {"Region": {d: d for d in sorted({d for d, _y in profiles})}, "UtbildningsNiva": EDUCATION_LEVELS,
            "ContentsCode": {"000005MO": "Befolkning"}, "Tid": {y: y for y in _years(profiles, 2015, 2023)}}
    return dims, value


def labour_market_status(profiles: dict) -> tuple[dict, Callable]:
    """Counts by status: employment falls and unemployment rises with the foreign-background share; the labour force
    and the total are the sums SCB publishes beside the parts."""

    def parts(deso: str, sex: str, age: str, year: str) -> dict[str, int]:
        persons, foreign = profiles.get((deso, year), (0, 0.0))
        n = round(persons * LABOUR_AGE_SHARE[age] * (0.505 if sex == "1" else 0.495))
        local = sample._unit_random("labour", deso) - 0.5  # what the background share does not explain
        employed = round(n * (0.88 - 0.33 * foreign + 0.08 * local + (0.02 if sex == "1" else -0.02)))
        unemployed = round(n * (0.025 + 0.11 * foreign - 0.02 * local))
        return {"0000089X": employed, "0000089V": unemployed, "0000089Z": n - employed - unemployed}

    def value(key: tuple) -> float | None:
        deso, sex, age, contents, year = key
        sexes = ["1", "2"] if sex == "1+2" else [sex]
        counts = defaultdict(int)
        for s in sexes:
            for code, count in parts(deso, s, age, year).items():
                counts[code] += count
        counts["0000089W"] = counts["0000089X"] + counts["0000089V"]
        counts["0000089Y"] = counts["0000089W"] + counts["0000089Z"]
        return float(counts[contents])

    dims = {"Region": {d: d for d in sorted({d for d, _y in profiles})},
            "Kon": {"1": "män", "2": "kvinnor", "1+2": "totalt"}, "Alder": LABOUR_AGES,
            "ContentsCode": LABOUR_CONTENTS, "Tid": {y: y for y in _years(profiles, 2020, 2024)}}
    return dims, value


AREA_TYPE_TABLE = "TAB6586"
AREA_TYPE_CONTENTS = {"0000081A": "Områdestyp", "0000081B": "Socioekonomiskt index",   # synthetic codes
                      "0000081C": "Andel med låg ekonomisk standard, procent"}


def area_types(profiles: dict) -> tuple[dict, Callable]:
    """RegSO of ~6 DeSO each (in code order) per municipality, named '<kommun> område N', with områdestyp 1-5 from
    their foreign-background share and the municipality's pressure: 1 where both are high."""
    names = {m["id"]: m["title"] for m in sample.municipality_records()}
    members: dict = defaultdict(list)
    seen: dict = defaultdict(int)  # DeSO so far per municipality
    for deso in sorted({d for d, _y in profiles}):
        members[f"{deso[:4]}R{seen[deso[:4]] // 6 + 1:03d}"].append(deso)
        seen[deso[:4]] += 1
    years = _years(profiles, 2011, 2024)

    def index(regso: str, year: str) -> float:
        shares = [profiles[(d, year)][1] for d in members[regso]]
        return 100 * (sum(shares) / len(shares)) * (0.6 + sample._pressure(regso[:4]))

    def value(key: tuple) -> float | None:
        regso, contents, year = key
        level = index(regso, year)
        if contents == "0000081A":
            return float(1 if level > 90 else 2 if level > 62 else 3 if level > 35 else 4 if level > 20 else 5)
        return round(level, 1) if contents == "0000081B" else round(3 + 0.5 * level, 1)

    dims = {"Region": {r: f"{names.get(r[:4], r[:4])} område {int(r[5:])}" for r in members},
            "ContentsCode": AREA_TYPE_CONTENTS, "Tid": {y: y for y in years}}
    return dims, value
