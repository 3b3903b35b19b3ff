"""SYNTHETIC DeSO/RegSO tables for the fake SCB PxWebApi 2.0, in the shapes real answers show (the values are invented):

- **Both grids in one Region variable**, as in the recorded TAB6574 (../shared/reference/real_responses/
  omraden_befolkning.json): the municipality ('1280'), DeSO 2018 ('1280C1010') and DeSO 2025 ('1280C1010_DeSO2025',
  labelled with the short code, as SCB does); RegSO 2020 ('1280R001') and RegSO 2025 ('1280R001_RegSO2025'). A code
  off its grid answers '..' or 0, as the real tables do (every DeSO 2018 code is 0 in 2025 in TAB6574). The replay's
  2025 grid continues the 2018 areas, and splits the last DeSO of every municipality with ten or more in two.
- **Totals in the code lists**: Kon '1+2', UtlBakgrund 'SA', Fodelseregion 'tot', ContentsCode 'antal totalt'.
- The tables: TAB6571 background × sex, TAB6572 birth region (sv, eu, öv, tot) × sex, TAB6685 economic standard
  (a share and "Antal personer totalt"), TAB5956 education (DeSO 2018, to 2023) and TAB6534 (DeSO 2025, 2024-),
  TAB6680 labour-market status × sex, TAB6586 områdestyp per RegSO. The municipality rows answer '..' (sydstat asks
  for DeSO only); the RegSO rows of the DeSO tables are left out.

Every figure follows the DeSO's population and foreign-background share (`profiles_of`, computed once), so the demo's
themes move together the way they do in the real statistics. Codes marked synthetic are not confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sydstat.demo import sample

BACKGROUND_TABLE, BIRTH_TABLE = "TAB6571", "TAB6572"
ECONOMIC_TABLE, EDUCATION_TABLE, EDUCATION_2025_TABLE = "TAB6685", "TAB5956", "TAB6534"
LABOUR_TABLE, AREA_TYPE_TABLE = "TAB6680", "TAB6586"
DESO_2025, REGSO_2025 = "_DeSO2025", "_RegSO2025"
SEX = {"1": "män", "2": "kvinnor", "1+2": "totalt"}
BACKGROUND = {"1": "utländsk bakgrund", "2": "svensk bakgrund", "SA": "totalt"}
BIRTH_REGIONS = {"sv": "Sverige", "eu": "Europa utom Sverige", "öv": "Övriga världen inkl. okänt", "tot": "totalt"}
ECONOMIC_AGES = {
    "tot": "totalt ålder",
    "0-19": "0-19 år",
    "20-64": "20-64 år",
    "20-65": "20-65 år",
    "65+": "65+ år",
    "66+": "66+ år",
}
ECONOMIC_CONTENTS = {
    "000008AC": "Låg ekonomisk standard, procent",
    "000008AD": "Hög ekonomisk standard, procent",
    "000008AE": "Antal personer totalt",
}  # synthetic code
EDUCATION_LEVELS = {
    "21": "förgymnasial utbildning",
    "3+4": "gymnasial utbildning",
    "5": "eftergymnasial utbildning, mindre än 3 år",
    "6": "eftergymnasial utbildning, 3 år eller mer",
    "US": "uppgift om utbildningsnivå saknas",
}
LABOUR_AGES = {"15-74": "15-74 år", "16-64": "16-64 år", "16-65": "16-65 år", "20-64": "20-64 år", "20-65": "20-65 år"}
LABOUR_CONTENTS = {
    "0000089X": "antal sysselsatta",
    "0000089V": "antal arbetslösa",  # 89V, 89W, 89Z:
    "0000089W": "antal sysselsatta och arbetslösa (arbetskraften)",  # synthetic codes
    "0000089Z": "antal personer utanför arbetskraften",
    "0000089Y": "antal totalt",
}
LABOUR_AGE_SHARE = {"15-74": 0.74, "16-64": 0.62, "16-65": 0.63, "20-64": 0.56, "20-65": 0.57}
AREA_TYPE_CONTENTS = {
    "000008IU": "Områdestyp",
    "000008IT": "Socioekonomiskt index",
    "000008IV": "Andel med låg ekonomisk standard, procent",
}


def grid_2025(deso_2018: list[str]) -> dict[str, tuple[str, float]]:
    """DeSO 2025 code → (the DeSO 2018 it continues, its share of that area's people)."""
    out: dict[str, tuple[str, float]] = {}
    by_municipality: dict[str, list[str]] = defaultdict(list)
    for deso in sorted(deso_2018):
        by_municipality[deso[:4]].append(deso)
    for areas in by_municipality.values():
        for deso in areas:
            out[deso + DESO_2025] = (deso, 1.0)
        if len(areas) >= 10:  # the last DeSO split in two on the new grid
            last = areas[-1]
            out[last + DESO_2025] = (last, 0.5)
            out[f"{last[:5]}{int(last[5:]) + 5:04d}{DESO_2025}"] = (last, 0.5)
    return out


def profiles_of(cells: dict) -> dict[tuple[str, str], tuple[int, float]]:
    """(DeSO of either grid, year) → (persons, foreign-background share) from the background cells (DeSO 2018)."""
    totals: dict = defaultdict(lambda: [0, 0])
    for (deso, background, _sex, year), persons in cells.items():
        totals[(deso, year)][0] += persons or 0
        totals[(deso, year)][1] += (persons or 0) if background == "1" else 0
    profiles = {key: (total, foreign / total if total else 0.0) for key, (total, foreign) in totals.items()}
    years = sorted({y for _d, y in profiles})
    for code, (parent, factor) in grid_2025(sorted({d for d, _y in profiles})).items():
        for year in years:
            persons, share = profiles[(parent, year)]
            profiles[(code, year)] = (round(persons * factor), share)
    return profiles


def on_grid(code: str, year: str, switch: int) -> bool:
    """Is the area in use that year? The 2018/2020 codes until `switch` − 1, the 2025 codes from `switch`."""
    return (int(year) >= switch) == code.endswith("2025")


def gridded(value: Callable, switch: int, retired: float | None) -> Callable:
    """A cell function over both grids: off-grid cells answer `retired` (0 or '..') for an old code after the
    switch and '..' for a new code before it; municipality rows answer '..'."""

    def cell(key: tuple) -> float | None:
        region, year = key[0], key[-1]
        if len(region) == 4:
            return None
        if not on_grid(region, year, switch):
            return retired if not region.endswith("2025") else None
        return value(key)

    return cell


def _regions(codes: list[str], names: dict[str, str]) -> dict[str, str]:
    """Region variable: each municipality ('1280 Malmö') and its areas in code order; DeSO 2025 labelled by the
    short code, as SCB labels them."""
    municipalities = {c[:4] for c in codes}
    out = {m: f"{m} {names.get(m, m)}" for m in municipalities}
    out.update({c: c.removesuffix(DESO_2025) for c in codes})
    return dict(sorted(out.items()))


def _years(profiles: dict, first: int, last: int) -> list[str]:
    return sorted({y for _d, y in profiles if first <= int(y) <= last})


def _areas(profiles: dict, grids: tuple[str, ...] = ("2018", "2025")) -> list[str]:
    codes = {d for d, _y in profiles}
    return sorted(c for c in codes if ("2025" if c.endswith(DESO_2025) else "2018") in grids)


def _names() -> dict[str, str]:
    return {m["id"]: m["title"] for m in sample.municipality_records()}


def background(cells: dict, profiles: dict) -> tuple[dict, Callable]:
    """TAB6571: persons by background and sex; 1+2 and SA are the sums SCB publishes beside the parts. The 2025 grid
    from 2025 (DeSO 2018 codes are 0 then)."""
    factors = grid_2025(sorted({k[0] for k in cells}))

    def part(deso: str, bg: str, sex: str, year: str) -> float:
        parent, factor = factors.get(deso, (deso, 1.0))
        return round((cells.get((parent, bg, sex, year)) or 0) * factor)

    def value(key: tuple) -> float | None:
        deso, bg, sex, _contents, year = key
        return float(
            sum(
                part(deso, b, s, year)
                for b in (["1", "2"] if bg == "SA" else [bg])
                for s in (["1", "2"] if sex == "1+2" else [sex])
            )
        )

    years = sorted({k[3] for k in cells})
    dims = {
        "Region": _regions(_areas(profiles), _names()),
        "UtlBakgrund": BACKGROUND,
        "Kon": SEX,
        "ContentsCode": {"000007Y4": "Antal"},
        "Tid": {y: y for y in years},
    }
    return dims, gridded(value, 2025, 0.0)


def birth_region(cells: dict, profiles: dict) -> tuple[dict, Callable]:
    """TAB6572: about four in five people of foreign background are foreign-born, between a third and a half of them
    in Europe; the rest of the world takes the remainder; 'tot' and '1+2' are the published sums."""
    dims, by_background = background(cells, profiles)

    def parts(deso: str, sex: str, year: str) -> dict[str, float]:
        foreign = by_background((deso, "1", sex, "000007Y4", year)) or 0.0
        swedish = by_background((deso, "2", sex, "000007Y4", year)) or 0.0
        abroad = round(foreign * 0.8)
        europe = round(abroad * (0.33 + 0.17 * sample._unit_random("birth", deso.removesuffix(DESO_2025))))
        return {"sv": swedish + foreign - abroad, "eu": europe, "öv": abroad - europe}

    def value(key: tuple) -> float | None:
        deso, region, sex, _contents, year = key
        sexes = ["1", "2"] if sex == "1+2" else [sex]
        return float(
            sum(sum(parts(deso, s, year).values()) if region == "tot" else parts(deso, s, year)[region] for s in sexes)
        )

    dims = {
        "Region": dims["Region"],
        "Fodelseregion": BIRTH_REGIONS,
        "Kon": SEX,
        "ContentsCode": {"000007Y5": "Antal"},
        "Tid": dims["Tid"],
    }
    return dims, gridded(value, 2025, 0.0)


def economic_standard(profiles: dict) -> tuple[dict, Callable]:
    """TAB6685: low economic standard rises with the foreign-background share and the municipality's pressure. The
    2025 grid from 2024; off-grid cells are '..'."""

    def value(key: tuple) -> float | None:
        deso, age, contents, year = key
        persons, foreign = profiles.get((deso, year), (0, 0.0))
        in_households = round(
            persons * 0.985 * {"tot": 1.0, "0-19": 0.23, "20-64": 0.56, "20-65": 0.57, "65+": 0.21, "66+": 0.2}[age]
        )
        if contents == "000008AE":
            return float(in_households)
        if sample._unit_random("econ-suppressed", deso, year) < 0.004:
            return None  # too few persons with a computed standard: SCB suppresses the share
        pressure = sample._pressure(deso[:4])
        local = sample._unit_random("econ", deso.removesuffix(DESO_2025))
        low = 3 + 42 * foreign * (0.6 + pressure) + 5 * local + 0.1 * (int(year) - 2015)
        if contents == "000008AC":
            return round(min(low, 75.0), 1)
        return round(max(2.0, 30 - 0.4 * low + 10 * sample._unit_random("high", deso)), 1)

    dims = {
        "Region": _regions(_areas(profiles), _names()),
        "Alder": ECONOMIC_AGES,
        "ContentsCode": ECONOMIC_CONTENTS,
        "Tid": {y: y for y in _years(profiles, 2011, 2024)},
    }
    return dims, gridded(value, 2024, None)


def _education(profiles: dict, share_of_people: float):
    def value(key: tuple) -> float | None:
        deso, level, _contents, year = key
        persons, foreign = profiles.get((deso, year), (0, 0.0))
        n = round(persons * share_of_people)
        trend = 0.004 * (int(year) - 2015)
        local = sample._unit_random("edu", deso.removesuffix(DESO_2025))
        shares = {
            "21": 0.07 + 0.22 * foreign,
            "5": 0.12,
            "US": 0.01 + 0.03 * foreign,
            "6": max(0.05, 0.34 - 0.28 * foreign + 0.12 * local + trend),
        }
        counts = {k: round(n * s) for k, s in shares.items()}
        counts["3+4"] = n - sum(counts.values())
        return float(counts[level])

    return value


def education_level(profiles: dict) -> tuple[dict, Callable]:
    """TAB5956: 25-64-year-olds by education level on DeSO 2018, 2015-2023: fewer with a long post-secondary
    education where the foreign-background share is high; gymnasial takes the rest."""
    dims = {
        "Region": _regions(_areas(profiles, ("2018",)), _names()),
        "UtbildningsNiva": EDUCATION_LEVELS,
        "ContentsCode": {"000005MO": "Befolkning"},
        "Tid": {y: y for y in _years(profiles, 2015, 2023)},
    }
    return dims, gridded(_education(profiles, 0.52), 9999, None)


def education_level_2025(profiles: dict) -> tuple[dict, Callable]:
    """TAB6534: its successor on DeSO 2025 from 2024, 25-65-year-olds."""
    dims = {
        "Region": _regions(_areas(profiles, ("2025",)), _names()),
        "UtbildningsNiva": EDUCATION_LEVELS,
        "ContentsCode": {"000007Z6": "Befolkning 25-65 år"},
        "Tid": {y: y for y in _years(profiles, 2024, 2024)},
    }
    return dims, gridded(_education(profiles, 0.53), 2024, None)


def labour_market_status(profiles: dict) -> tuple[dict, Callable]:
    """TAB6680: counts by status; employment falls and unemployment rises with the foreign-background share; the
    labour force and the total are the sums SCB publishes beside the parts. The 2025 grid from 2024 (0 off-grid)."""

    def parts(deso: str, sex: str, age: str, year: str) -> dict[str, int]:
        persons, foreign = profiles.get((deso, year), (0, 0.0))
        n = round(persons * LABOUR_AGE_SHARE[age] * (0.505 if sex == "1" else 0.495))
        local = sample._unit_random("labour", deso.removesuffix(DESO_2025)) - 0.5
        employed = round(n * (0.88 - 0.33 * foreign + 0.08 * local + (0.02 if sex == "1" else -0.02)))
        unemployed = round(n * (0.025 + 0.11 * foreign - 0.02 * local))
        return {"0000089X": employed, "0000089V": unemployed, "0000089Z": n - employed - unemployed}

    def value(key: tuple) -> float | None:
        deso, sex, age, contents, year = key
        counts: dict = defaultdict(int)
        for s in ["1", "2"] if sex == "1+2" else [sex]:
            for code, count in parts(deso, s, age, year).items():
                counts[code] += count
        counts["0000089W"] = counts["0000089X"] + counts["0000089V"]
        counts["0000089Y"] = counts["0000089W"] + counts["0000089Z"]
        return float(counts[contents])

    dims = {
        "Region": _regions(_areas(profiles), _names()),
        "Kon": SEX,
        "Alder": LABOUR_AGES,
        "ContentsCode": LABOUR_CONTENTS,
        "Tid": {y: y for y in _years(profiles, 2020, 2024)},
    }
    return dims, gridded(value, 2024, 0.0)


def regso_members(profiles: dict) -> dict[str, list[str]]:
    """RegSO code → its DeSO: ~6 DeSO each, in code order, per municipality and grid (the replay's own grouping)."""
    members: dict = defaultdict(list)
    seen: dict = defaultdict(int)  # DeSO so far per municipality and grid
    for deso in _areas(profiles):
        new = deso.endswith(DESO_2025)
        members[f"{deso[:4]}R{seen[(deso[:4], new)] // 6 + 1:03d}" + (REGSO_2025 if new else "")].append(deso)
        seen[(deso[:4], new)] += 1
    return members


def regso_name(regso: str) -> str:
    return f"{_names().get(regso[:4], regso[:4])} (område {int(regso[5:8])})"


def key_csv(profiles: dict) -> str:
    """The DeSO 2018 → RegSO 2020 key file in the shape of SCB's (kommun, kommunnamn, deso_2018, regso_2020,
    regsokod_2020), for the replay's areas: the demo ingests it, so `area_profile` shows each DeSO's RegSO."""
    names = _names()
    lines = ["kommun,kommunnamn,deso_2018,regso_2020,regsokod_2020"]
    for regso, desos in sorted(regso_members(profiles).items()):
        if regso.endswith(REGSO_2025):
            continue
        lines += [
            f'{regso[:4]},{names.get(regso[:4], regso[:4])},{deso},"{regso_name(regso)}",{regso}' for deso in desos
        ]
    return "\n".join(lines) + "\n"


def area_types(profiles: dict) -> tuple[dict, Callable]:
    """TAB6586: RegSO of ~6 DeSO each (in code order) per municipality and grid, områdestyp 1-5 from their
    foreign-background share and the municipality's pressure (1 where both are high). RegSO 2020 until 2023, RegSO
    2025 ('…_RegSO2025', labelled with its code first, as SCB does) from 2024; off-grid cells are '..'."""
    members = regso_members(profiles)

    def index(regso: str, year: str) -> float:
        shares = [profiles[(d, year)][1] for d in members[regso]]
        return 100 * (sum(shares) / len(shares)) * (0.6 + sample._pressure(regso[:4]))

    def value(key: tuple) -> float | None:
        regso, contents, year = key
        level = index(regso, year)
        if contents == "000008IU":
            return float(1 if level > 90 else 2 if level > 62 else 3 if level > 35 else 4 if level > 20 else 5)
        return round(level, 1) if contents == "000008IT" else round(3 + 0.5 * level, 1)

    def label(regso: str) -> str:
        name = regso_name(regso)
        return f"{regso[:8]} {name}" if regso.endswith(REGSO_2025) else name

    dims = {
        "Region": {r: label(r) for r in sorted(members)},
        "ContentsCode": AREA_TYPE_CONTENTS,
        "Tid": {y: y for y in _years(profiles, 2011, 2024)},
    }
    return dims, gridded(value, 2024, None)
