"""SYNTHETIC population by municipality, age and sex for the fake SCB PxWebApi 2.0, in the shapes of the two real
tables the population series is unioned from (SOURCES.md §2, the 2025 series break):

- TAB638 (BE0101A/BefolkningNy, 1968-2024): Region × Civilstand × Alder (0…100+, 'tot') × Kon (1, 2) × ContentsCode
  (BE0101N1 Folkmängd, BE0101N2 Folkökning) × Tid. Civilstand can be eliminated (SCB sums it); there is no sex total.
- TAB6471 (BE0101A/BefolkManadCKM, 2025M01-): Region × Alder × Kon × ContentsCode × Tid, with the real code lists:
  Alder mixes single years, 5- and 10-year bands and the total 'TotSA'; Kon has the total 'TotSa'. Every published cell
  carries cell-key noise, so a published total differs from the sum of its published parts by a few persons.

Cells are computed on demand from the key (no 600 000-entry dict at start-up).
"""

from __future__ import annotations

import math
from functools import cache

from sydstat.demo import sample

CLASSIC_TABLE = "TAB638"
CKM_TABLE = "TAB6471"
CLASSIC_YEARS = [str(y) for y in range(2010, 2025)]
CKM_MONTHS = [f"{y}M{m:02d}" for y in (2025, 2026) for m in range(1, 13)][:16]  # 2025M01-2026M04, as the real table
SINGLE_AGES = [str(a) for a in range(100)] + ["100+"]
MARITAL = {"OG": "ogifta", "G": "gifta", "SK": "skilda", "ÄNKL": "änkor/änklingar"}


def _ckm_age_codes() -> dict[str, str]:
    """The real TAB6471 Alder list: single years, TotSA, 5- and 10-year bands (and the two 100+ aliases)."""
    codes = {"TotSA": "totalt, samtliga åldrar"}
    for age in range(100):
        codes[str(age)] = f"{age} år"
        if age % 5 == 0:
            codes["-4" if age == 0 else f"{age}-{age + 4}"] = f"{age}-{age + 4} år"
        if age % 10 == 0:
            codes[f"{age}-{age + 9}"] = f"{age}-{age + 9} år"
    codes.update({"100+": "100+ år", "100+5": "100+ år", "100+10": "100+ år"})
    return codes


CKM_AGES = _ckm_age_codes()


@cache
def _pressure(code: str) -> float:
    return sample._pressure(code)


@cache
def _municipality_population(code: str) -> int:
    base = int(7000 + 110000 * sample._unit_random("pop", code) ** 3)
    return {"1280": 350000, "1283": 150000, "1281": 125000, "1290": 86000}.get(code, base)


def _age_weight(age: int) -> float:
    """A plausible Swedish age pyramid: flat to ~60, then thinning out; a little bulge in the twenties where the
    municipality is young (high pressure here stands in for a younger population)."""
    return math.exp(-((age / 88) ** 6)) * (1.0 if age < 100 else 0.3)


_WEIGHT_SUM = sum(_age_weight(a) for a in range(101))


def true_persons(code: str, age: int, sex: str, year: float) -> float:
    """Persons of one age (100 = 100+) and sex ('1' men, '2' women) on 31 December of `year` (fractional months)."""
    total = _municipality_population(code) * (1 + 0.008 * (year - 2010) * (1 + _pressure(code)))
    young = 1 + 0.25 * _pressure(code) * math.exp(-(((age - 25) / 8) ** 2))
    old_women = 1.12 if (sex == "2" and age >= 75) else 1.0
    share = _age_weight(age) * young * old_women / _WEIGHT_SUM
    return total * share * (0.5 if sex == "1" else 0.49)


def _ages_of(code: str) -> list[int]:
    """The single years a TAB6471 age code covers."""
    if code == "TotSA":
        return list(range(101))
    if code.startswith("100+"):
        return [100]
    if code == "-4":
        return list(range(5))
    if "-" in code:
        low, high = code.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(code)]


def classic_value(key: tuple) -> int | None:
    """TAB638 cell (Region, Alder, Kon, ContentsCode, Tid) with Civilstand eliminated: exact, parts add up."""
    region, age, sex, contents, year = key
    ages = range(101) if age == "tot" else [100 if age == "100+" else int(age)]
    persons = sum(round(true_persons(region, a, sex, int(year))) for a in ages)
    if contents == "BE0101N2":  # Folkökning: this year's minus last year's
        return persons - sum(round(true_persons(region, a, sex, int(year) - 1)) for a in ages)
    return persons


def ckm_value(key: tuple) -> int | None:
    """TAB6471 cell (Region, Alder, Kon, ContentsCode, Tid): the exact count plus cell-key noise in [-3, 3]."""
    region, age, sex, _contents, month = key
    year = int(month[:4]) + (int(month[5:]) - 12) / 12
    sexes = ["1", "2"] if sex == "TotSa" else [sex]
    exact = sum(round(true_persons(region, a, s, year)) for a in _ages_of(age) for s in sexes)
    noise = int(7 * sample._unit_random("ckm", region, age, sex, month)) - 3
    return max(0, exact + noise)


def classic_dims(regions: dict[str, str]) -> tuple[dict, dict]:
    """(cube dimensions, eliminable-only dimensions) of TAB638."""
    ages = {a: f"{a} år" for a in SINGLE_AGES} | {"tot": "totalt ålder"}
    return (
        {
            "Region": regions,
            "Alder": ages,
            "Kon": {"1": "män", "2": "kvinnor"},
            "ContentsCode": {"BE0101N1": "Folkmängd", "BE0101N2": "Folkökning"},
            "Tid": {y: y for y in CLASSIC_YEARS},
        },
        {"Civilstand": MARITAL},
    )


def ckm_dims(regions: dict[str, str]) -> dict:
    return {
        "Region": regions,
        "Alder": CKM_AGES,
        "Kon": {"TotSa": "totalt, samtliga män och kvinnor", "1": "män", "2": "kvinnor"},
        "ContentsCode": {"000007SF": "Folkmängden per månad"},
        "Tid": {m: m for m in CKM_MONTHS},
    }
