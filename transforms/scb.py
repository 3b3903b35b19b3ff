"""SCB PxWeb frames → conformed area population and segregation indices. Pure."""

from __future__ import annotations

import pandas as pd

from transforms.areas import DESO
from transforms.segregation import indices_by_municipality


def region_deso_codes(codes: list[str], municipality_codes: set[str] | None) -> list[str]:
    """The DeSO codes (real pattern) that lie in the given municipalities (their first four digits); every DeSO code
    when `municipality_codes` is None."""
    return [c for c in codes if DESO.match(c) and (municipality_codes is None or c[:4] in municipality_codes)]


def area_population(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """json-stat2 cells → fct_area_population rows, with totals over sex (T) and, unless the catalogue says
    `totals: false` (another table already gives them), over the groups (background 'total')."""
    columns, codes = table["columns"], table.get("codes", {})
    out = pd.DataFrame({target: frame[source].map(codes[source]).astype("string") if source in codes
                        else frame[source] for source, target in columns.items()})
    unknown = {c: sorted(set(frame[s][out[c].isna()])) for s, c in columns.items() if out[c].isna().any()}
    if unknown:
        raise ValueError(f"table {table['id']}: codes not in the catalogue: {unknown}")
    out["year"] = out["year"].astype(int)
    out["persons"] = frame["value"].round().astype("Int64")
    keys = ["area_code", "year"]
    by_sex = out.groupby([*keys, "background"], as_index=False).persons.sum(min_count=1).assign(sex="T")
    detailed = pd.concat([out, by_sex], ignore_index=True)
    if not table.get("totals", True):
        return detailed[["area_code", "year", "sex", "background", "persons"]]
    totals = detailed.groupby([*keys, "sex"], as_index=False).persons.sum(min_count=1).assign(background="total")
    result = pd.concat([detailed, totals], ignore_index=True)
    return result[["area_code", "year", "sex", "background", "persons"]]


def segregation(population: pd.DataFrame, spec: dict, regso_of: dict[str, str] | None = None) -> pd.DataFrame:
    """segregation_indices rows for DeSO and, where the DeSO→RegSO key is loaded, RegSO units."""
    groups = population[(population.sex == "T") & (population.background != "total")].copy()
    groups["municipality_code"] = groups.area_code.str[:4]
    groups["persons"] = groups.persons.astype(float)
    units = {"DeSO": groups}
    if regso_of:
        mapped = groups.assign(area_code=groups.area_code.map(regso_of))
        if mapped.area_code.notna().any():
            units["RegSO"] = mapped.dropna(subset=["area_code"])
    frames = []
    for unit, rows in units.items():
        indices = indices_by_municipality(rows, spec["group_column"], spec["group_a"])
        frames.append(indices.assign(grouping=spec["grouping"], area_unit=unit))
    out = pd.concat(frames, ignore_index=True)
    out["population"] = out.population.round().astype("Int64")
    return out[["municipality_code", "year", "grouping", "area_unit", "dissimilarity", "isolation", "exposure",
                "entropy_index", "areas", "population", "group_share"]]
