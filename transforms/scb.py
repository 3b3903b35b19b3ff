"""SCB PxWeb frames → conformed area population and segregation indices. Pure.

Every area table classifies one population one way (catalogue `classification`): background, birth region, economic
standard, education level or labour-market status. Its rows become (area, year, sex, age group, classification,
population group) → persons on the area's grid.

- **Grids.** A Region variable carries DeSO 2018 and DeSO 2025 (RegSO 2020 and 2025) side by side; an area whose
  figures are all 0 or missing in a year is off-grid then (SCB answers such cells as '..' or 0) and is not loaded
  (`drop_off_grid`). Which grid a table uses in a year is thus read from the data, never assumed.
- **Totals.** The catalogue's `totals` name each variable's total codes ('1+2', 'SA', 'tot', …). They load as the
  sex total 'T' and the classification's 'total' — never as a group — after the parts are checked against them
  (transforms/totals.py; exact, or within the CKM tolerance from the catalogue's `ckm.from_year`). A total SCB does
  not publish is computed from the parts; a missing part is derived from the total only for `derive_from_total`.
- Where SCB publishes a share instead of a count (low economic standard), `share_of_total` derives the two groups:
  round(share % × persons) and the rest, so they always add up to the published total.
"""

from __future__ import annotations

import re

import pandas as pd

from transforms import totals as tt
from transforms.areas import DESO, REGSO, area_rows, grid_of
from transforms.segregation import indices_by_municipality

AREA_COLUMNS = ["area_code", "grid", "year", "sex", "age_group", "classification", "population_group", "persons"]
AREA_KEYS = ["area_code", "year", "sex", "age_group", "population_group"]
TOTAL_OF = {"sex": "T"}  # a target column's total value; every other column's is 'total'


def drop_off_grid(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """(the cells of areas in use, how many cells were off-grid). An area is in use in a year when at least one of
    its figures that year is neither 0 nor missing: SCB fills the other grid's codes with '..' or 0 (TAB6574: every
    DeSO 2018 code is 0 in 2025)."""
    figure = cells["value"].fillna(0) != 0
    in_use = figure.groupby([cells["Region"], cells["Tid"]]).transform("any")
    return cells[in_use].reset_index(drop=True), int((~in_use).sum())


def region_codes_for(table: dict, codes: list[str], municipality_codes: set[str] | None) -> list[str]:
    """Which of a table's Region codes to ask for: the region's municipalities (every municipality when
    `municipality_codes` is None) for municipal tables; their RegSO for area-type tables; their DeSO, of either grid,
    for area tables."""
    if table.get("target") in ("fct_indicator_value", "fct_population"):
        return [c for c in codes if (municipality_codes is None and len(c) == 4) or c in (municipality_codes or ())]
    if table.get("target") == "fct_area_type":
        return region_regso_codes(codes, municipality_codes)
    return region_deso_codes(codes, municipality_codes)


def region_deso_codes(codes: list[str], municipality_codes: set[str] | None) -> list[str]:
    """The DeSO codes (real pattern) that lie in the given municipalities (their first four digits); every DeSO code
    when `municipality_codes` is None."""
    return [c for c in codes if DESO.match(c) and (municipality_codes is None or c[:4] in municipality_codes)]


def region_regso_codes(codes: list[str], municipality_codes: set[str] | None) -> list[str]:
    """The RegSO codes (either published form, '1280R001' or 'RegSO1280001') of the given municipalities."""
    normalised = [(c, regso_code(c)) for c in codes]
    return [c for c, n in normalised if REGSO.match(n) and (municipality_codes is None or n[:4] in municipality_codes)]


# some SCB tables write 'RegSO1280001' for the key file's '1280R001' (the 2025 grid's suffix is kept)
_REGSO_LONG = r"^RegSO(\d{4})(\d{3})(_RegSO2025)?$"


def regso_code(code: str) -> str:
    """'RegSO1280001' → '1280R001' (the key file's and dim_area's form); other codes unchanged."""
    return re.sub(_REGSO_LONG, r"\1R\2\3", code)


def area_types(frame: pd.DataFrame, table: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A RegSO table's områdestyp (the measure the catalogue names) on the cells in use (`drop_off_grid`) →
    (fct_area_type rows, the RegSO as dim_area rows of their grid, rows whose type is not 1-5 with a reason)."""
    measure = coded(frame, table["measure_by"], {m: "area_type" for m in table["measures"]})
    cells = frame[measure.notna()]
    codes = cells["Region"].str.replace(_REGSO_LONG, r"\1R\2\3", regex=True)
    names = cells["Region_label"].str.replace(r"^\d{4}R\d{3}\s+", "", regex=True)
    value = cells["value"].astype("Float64")
    out = pd.DataFrame(
        {"area_code": codes, "grid": grid_of(codes), "year": cells["Tid"].astype(int), "socioeconomic_area_type": value}
    )
    bad = value.notna() & ~value.isin([1.0, 2.0, 3.0, 4.0, 5.0])  # e.g. 7, or 2.5: not a type
    rejected = out[bad].assign(reason="områdestyp outside 1-5")
    types = out[~bad].astype({"socioeconomic_area_type": "Int64"})
    regso = pd.DataFrame({"area_code": codes, "area_name": names}).drop_duplicates("area_code")
    return (
        types.reset_index(drop=True),
        area_rows(regso.area_code, names=regso.area_name),
        rejected.reset_index(drop=True),
    )


def coded(frame: pd.DataFrame, variable: str, codes: dict) -> pd.Series:
    """A variable's values through the catalogue's mapping, which may name a value by its code or by its published
    label (case-insensitive: SCB's labels are not consistently capitalised). Unmapped values are NA."""
    by_code = frame[variable].map({str(k): v for k, v in codes.items()})
    label_column = f"{variable}_label"
    if label_column in frame:
        labels = {str(k).casefold(): v for k, v in codes.items()}
        by_code = by_code.fillna(frame[label_column].str.casefold().map(labels))
    return by_code.astype("string")


def _total_codes(table: dict, variable: str) -> list[str]:
    declared = table.get("totals", {}).get(variable, [])
    return [str(c) for c in ([declared] if isinstance(declared, str) else declared)]


def _conformed(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """The catalogue's `columns` (source variable → target column), mapped through `codes`, with each variable's
    declared `totals` as the column's total ('T' for sex, 'total' otherwise). A code that is neither mapped nor a
    declared total is an error that names it (a new category upstream must be added to the catalogue, not silently
    dropped)."""
    columns, codes = table["columns"], table.get("codes", {})
    out = {}
    for source, target in columns.items():
        if source not in codes and source not in table.get("totals", {}):
            out[target] = frame[source]
            continue
        mapped = coded(frame, source, codes.get(source, {}))
        out[target] = mapped.mask(frame[source].isin(_total_codes(table, source)), TOTAL_OF.get(target, "total"))
    out = pd.DataFrame(out)
    unknown = {c: sorted(set(frame[s][out[c].isna()])) for s, c in columns.items() if out[c].isna().any()}
    if unknown:
        raise ValueError(
            f"table {table['id']}: codes neither mapped nor declared as totals in the catalogue: {unknown}"
        )
    out["year"] = out["year"].astype(int)
    return out


def _share_groups(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """A published count and share (%) per area → the group (share × count, rounded), the rest, and the total."""
    spec = table["share_of_total"]
    out = _conformed(frame, table)
    keys = list(out.columns)
    out["role"] = coded(frame, table["measure_by"], {spec["persons"]: "persons", spec["share"]: "share"})
    if out.role.isna().any():
        raise ValueError(
            f"table {table['id']}: measures other than {spec['persons']!r} and {spec['share']!r}: "
            f"{sorted(set(frame[table['measure_by']][out.role.isna()]))}"
        )
    wide = out.assign(value=frame["value"].astype("float64")).pivot(index=keys, columns="role", values="value")
    impossible = wide[(wide["share"] < 0) | (wide["share"] > 100)]
    if len(impossible):  # an upstream error: no count can be derived from it, and none is made up
        cells = ", ".join(f"{' '.join(map(str, k))}: {v}" for k, v in impossible["share"].head(5).items())
        raise ValueError(f"table {table['id']}: {len(impossible)} shares outside 0-100 % ({spec['share']}): {cells}")
    persons = wide["persons"].round()
    group = (wide["share"] / 100 * persons).round()
    parts = {spec["group"]: group, spec["rest"]: persons - group, "total": persons}
    long = pd.concat(
        [p.rename("persons").reset_index().assign(population_group=name) for name, p in parts.items()],
        ignore_index=True,
    )
    long["persons"] = long.persons.round().astype("Int64")
    return long


def area_population(frame: pd.DataFrame, table: dict, ckm: dict | None = None) -> pd.DataFrame:
    """json-stat2 cells of areas in use → fct_area_population rows (AREA_COLUMNS). Published totals are checked
    against their parts (a miss beyond the tolerance fails the table, naming the cells) and kept; the sex total 'T'
    and the classification's 'total' are computed from the parts only where SCB publishes none. `ckm`: the
    catalogue's {from_year, sum_tolerance} for cell-key noise."""
    if "share_of_total" in table:
        out = _share_groups(frame, table)
    else:
        out = _conformed(frame, table).assign(persons=frame["value"].round().astype("Int64"))
    if "age_group" not in out:
        out["age_group"] = table.get("age_group", "total")
    if "sex" not in out:
        out["sex"] = "T"
    published = {
        target: TOTAL_OF.get(target, "total")
        for source, target in table["columns"].items()
        if _total_codes(table, source)
    }
    if published:
        ckm = ckm or {}
        violations = tt.sum_violations(out, AREA_KEYS, published, ckm.get("sum_tolerance"), ckm.get("from_year"))
        if len(violations):
            raise ValueError(
                tt.describe_violations(
                    violations, table["id"], AREA_KEYS, ckm.get("sum_tolerance"), noisy_from=ckm.get("from_year")
                )
            )
    for source in table.get("derive_from_total", []):
        target = table["columns"][source]
        out = tt.derive_missing_parts(out, AREA_KEYS, target, TOTAL_OF.get(target, "total"))
    parts = out[out.sex != "T"]
    by_sex = (
        parts.groupby(["area_code", "year", "age_group", "population_group"], as_index=False)
        .persons.sum(min_count=1)
        .assign(sex="T")
    )
    out = pd.concat([out, by_sex], ignore_index=True).drop_duplicates(AREA_KEYS)  # a published T comes first
    groups = out[out.population_group != "total"]
    by_group = (
        groups.groupby(["area_code", "year", "age_group", "sex"], as_index=False)
        .persons.sum(min_count=1)
        .assign(population_group="total")
    )
    out = pd.concat([out, by_group], ignore_index=True).drop_duplicates(AREA_KEYS)
    out["classification"] = table["classification"]
    out["population_group"] = out.population_group.astype("string")
    out["grid"] = grid_of(out.area_code)
    return out[AREA_COLUMNS].reset_index(drop=True)


def segregation(population: pd.DataFrame, spec: dict, regso_of: dict[str, str] | None = None) -> pd.DataFrame:
    """segregation_indices rows for DeSO and, where the DeSO→RegSO key is loaded, RegSO units: `group_a` against the
    rest of the classification's groups (D, isolation, exposure) and all its groups (H), both sexes together. Each
    index is computed on one grid: the areas of a municipality and year are grouped by their grid."""
    groups = population[(population.sex == "T") & (population.population_group != "total")].copy()
    # an area with a suppressed group is left out whole: counting the gap as 0 would bias every index
    gaps = groups.loc[groups.persons.isna(), ["area_code", "year"]].drop_duplicates()
    if len(gaps):
        groups = groups.merge(gaps, how="left", indicator=True).query("_merge == 'left_only'").drop(columns="_merge")
    groups["municipality_code"] = groups.area_code.str[:4]
    groups["grid"] = grid_of(groups.area_code)
    groups["persons"] = groups.persons.astype(float)
    units = {"DeSO": groups}
    if regso_of:
        mapped = groups.assign(area_code=groups.area_code.map(regso_of))
        if mapped.area_code.notna().any():
            mapped = mapped.dropna(subset=["area_code"])
            units["RegSO"] = mapped.assign(grid=grid_of(mapped.area_code))
    frames = []
    for unit, rows in units.items():
        indices = indices_by_municipality(
            rows, "population_group", spec["group_a"], by=("municipality_code", "year", "grid")
        )
        frames.append(indices.assign(grouping=spec["grouping"], area_unit=unit))
    out = pd.concat(frames, ignore_index=True)
    out["population"] = out.population.round().astype("Int64")
    return out[SEGREGATION_COLUMNS]


SEGREGATION_COLUMNS = [
    "municipality_code",
    "year",
    "grouping",
    "area_unit",
    "grid",
    "dissimilarity",
    "isolation",
    "exposure",
    "entropy_index",
    "areas",
    "population",
    "group_share",
]
