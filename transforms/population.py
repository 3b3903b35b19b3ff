"""SCB population tables (municipality × age × sex) → fct_population rows, and the sum-of-parts check. Pure.

One series comes from two tables (SOURCES.md §2): the classic table up to 2024 (exact; no sex total, so T = K + M is
computed here) and its CKM successor from 2025 (published totals 'TotSa'/'TotSA' kept as published, because summing
noisy parts adds noise). Either way every row then has: single years '0' … '100+' and 'total' for sex T, K and M.

The check compares each published or computed total with the sum of its parts — ages within a sex, K + M against T —
and allows the table's `sum_tolerance` (exact before 2025; a few persons with CKM)."""

from __future__ import annotations

import pandas as pd

from transforms import totals

KEYS = ["municipality_code", "year", "sex", "age_group"]


def population_frame(cells: pd.DataFrame, table: dict) -> pd.DataFrame:
    columns, codes = table["columns"], table.get("codes", {})
    out = pd.DataFrame(
        {
            target: (
                cells[source].map(codes[source]).fillna(cells[source]) if source in codes else cells[source]
            ).astype("string")  # codes not in the catalogue stay as given
            for source, target in columns.items()
        }
    )
    unknown_sex = sorted(set(cells.loc[~out.sex.isin(["T", "K", "M"]), _source_of(columns, "sex")]))
    if unknown_sex:
        raise ValueError(f"table {table['id']}: sex codes not in the catalogue: {unknown_sex}")
    out["year"] = out["year"].str[:4].astype(int)
    out["persons"] = cells["value"].round().astype("Int64")
    if not (out.sex == "T").any():  # the classic table has no sex total
        both = out.groupby(["municipality_code", "year", "age_group"], as_index=False).persons.sum(min_count=2)
        out = pd.concat([out, both.assign(sex="T")], ignore_index=True)
    if not (out.age_group == "total").any():
        ages = out.groupby(["municipality_code", "year", "sex"], as_index=False).persons.sum(min_count=1)
        out = pd.concat([out, ages.assign(age_group="total")], ignore_index=True)
    out["sex"] = out.sex.astype("string")
    out["age_group"] = out.age_group.astype("string")
    return out.assign(source_table=table["id"], ckm_noise=bool(table.get("ckm", False)))[
        [*KEYS, "persons", "source_table", "ckm_noise"]
    ]


def _source_of(columns: dict, target: str) -> str:
    return next(source for source, t in columns.items() if t == target)


def sum_violations(population: pd.DataFrame, tolerance: dict | None = None) -> pd.DataFrame:
    """Totals that miss the sum of their parts (transforms/totals.py): ages within each municipality × year × sex,
    and K + M against T for each age."""
    return totals.sum_violations(population, KEYS, {"age_group": "total", "sex": "T"}, tolerance)


def describe_violations(violations: pd.DataFrame, table_id: str, tolerance: dict | None, limit: int = 3) -> str:
    return totals.describe_violations(violations, table_id, KEYS, tolerance, limit)
