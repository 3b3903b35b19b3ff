"""SCB PxWeb frames → conformed area population and segregation indices. Pure.

Every area table classifies one population one way (catalogue `classification`): background, birth region, economic
standard, education level or labour-market status. Its rows become (area, year, sex, age group, classification,
population group) → persons, with the sex total 'T' and the classification's own 'total' added where SCB does not
publish them. Where SCB publishes a share instead of a count (low economic standard), `share_of_total` derives the two
groups: round(share % × persons) and the rest, so they always add up to the published total.
"""

from __future__ import annotations

import re

import pandas as pd

from transforms.areas import DESO, REGSO
from transforms.segregation import indices_by_municipality

AREA_COLUMNS = ["area_code", "year", "sex", "age_group", "classification", "population_group", "persons"]


def region_deso_codes(codes: list[str], municipality_codes: set[str] | None) -> list[str]:
    """The DeSO codes (real pattern) that lie in the given municipalities (their first four digits); every DeSO code
    when `municipality_codes` is None."""
    return [c for c in codes if DESO.match(c) and (municipality_codes is None or c[:4] in municipality_codes)]


def region_regso_codes(codes: list[str], municipality_codes: set[str] | None) -> list[str]:
    """The RegSO codes (either published form, '1280R001' or 'RegSO1280001') of the given municipalities."""
    normalised = [(c, regso_code(c)) for c in codes]
    return [c for c, n in normalised if REGSO.match(n) and (municipality_codes is None or n[:4] in municipality_codes)]


_REGSO_LONG = r"^RegSO(\d{4})(\d{3})$"  # some SCB tables write 'RegSO1280001' for the key file's '1280R001'


def regso_code(code: str) -> str:
    """'RegSO1280001' → '1280R001' (the key file's and dim_area's form); other codes unchanged."""
    return re.sub(_REGSO_LONG, r"\1R\2", code)


def area_types(frame: pd.DataFrame, table: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A RegSO table's områdestyp (the measure the catalogue names) → (fct_area_type rows, the RegSO as dim_area rows,
    rows whose type is not 1-5 with a reason). A suppressed type stays NULL."""
    measure = coded(frame, table["measure_by"], {m: "area_type" for m in table["measures"]})
    cells = frame[measure.notna()]
    codes = cells["Region"].str.replace(_REGSO_LONG, r"\1R\2", regex=True)
    names = cells["Region_label"].str.replace(r"^\d{4}R\d{3}\s+", "", regex=True)
    value = cells["value"].astype("Float64")
    out = pd.DataFrame({"area_code": codes, "year": cells["Tid"].astype(int), "socioeconomic_area_type": value})
    bad = value.notna() & ~value.isin([1.0, 2.0, 3.0, 4.0, 5.0])  # e.g. 7, or 2.5: not a type
    rejected = out[bad].assign(reason="områdestyp outside 1-5")
    types = out[~bad].astype({"socioeconomic_area_type": "Int64"})
    regso = pd.DataFrame({"area_code": codes, "area_name": names}).drop_duplicates("area_code")
    regso = regso.assign(area_level="RegSO", grid_version=2020, municipality_code=regso.area_code.str[:4],
                         regso_code=regso.area_code)
    return types.reset_index(drop=True), regso, rejected.reset_index(drop=True)


def coded(frame: pd.DataFrame, variable: str, codes: dict) -> pd.Series:
    """A variable's values through the catalogue's mapping, which may name a value by its code or by its published
    label (case-insensitive: SCB's labels are not consistently capitalised). Unmapped values are NA."""
    by_code = frame[variable].map({str(k): v for k, v in codes.items()})
    label_column = f"{variable}_label"
    if label_column in frame:
        labels = {str(k).casefold(): v for k, v in codes.items()}
        by_code = by_code.fillna(frame[label_column].str.casefold().map(labels))
    return by_code.astype("string")


def _conformed(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """The catalogue's `columns` (source variable → target column), mapped through `codes`; an unmapped code is an
    error that names it (a new category upstream must be added to the catalogue, not silently dropped)."""
    columns, codes = table["columns"], table.get("codes", {})
    out = pd.DataFrame({target: coded(frame, source, codes[source]) if source in codes else frame[source]
                        for source, target in columns.items()})
    unknown = {c: sorted(set(frame[s][out[c].isna()])) for s, c in columns.items() if out[c].isna().any()}
    if unknown:
        raise ValueError(f"table {table['id']}: codes not in the catalogue: {unknown}")
    out["year"] = out["year"].astype(int)
    return out


def _share_groups(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """A published count and share (%) per area → the group (share × count, rounded), the rest, and the total."""
    spec = table["share_of_total"]
    out = _conformed(frame, table)
    keys = list(out.columns)
    out["role"] = coded(frame, table["measure_by"], {spec["persons"]: "persons", spec["share"]: "share"})
    if out.role.isna().any():
        raise ValueError(f"table {table['id']}: measures other than {spec['persons']!r} and {spec['share']!r}: "
                         f"{sorted(set(frame[table['measure_by']][out.role.isna()]))}")
    wide = out.assign(value=frame["value"].astype("float64")).pivot(index=keys, columns="role", values="value")
    impossible = wide[(wide["share"] < 0) | (wide["share"] > 100)]
    if len(impossible):  # an upstream error: no count can be derived from it, and none is made up
        cells = ", ".join(f"{' '.join(map(str, k))}: {v}" for k, v in impossible["share"].head(5).items())
        raise ValueError(f"table {table['id']}: {len(impossible)} shares outside 0-100 % ({spec['share']}): {cells}")
    persons = wide["persons"].round()
    group = (wide["share"] / 100 * persons).round()
    parts = {spec["group"]: group, spec["rest"]: persons - group, "total": persons}
    long = pd.concat([p.rename("persons").reset_index().assign(population_group=name) for name, p in parts.items()],
                     ignore_index=True)
    long["persons"] = long.persons.round().astype("Int64")
    return long


def area_population(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """json-stat2 cells → fct_area_population rows (AREA_COLUMNS), with the sex total 'T' (when the table has a sex
    variable) and the classification's 'total' (unless SCB publishes it, as with a share of a total)."""
    if "share_of_total" in table:
        out = _share_groups(frame, table)
    else:
        out = _conformed(frame, table).assign(persons=frame["value"].round().astype("Int64"))
    if "age_group" not in out:
        out["age_group"] = table.get("age_group", "total")
    keys = ["area_code", "year", "age_group"]
    if "sex" in out:
        by_sex = out.groupby([*keys, "population_group"], as_index=False).persons.sum(min_count=1).assign(sex="T")
        out = pd.concat([out, by_sex], ignore_index=True)
    else:
        out["sex"] = "T"
    if "share_of_total" not in table:
        totals = out.groupby([*keys, "sex"], as_index=False).persons.sum(min_count=1).assign(population_group="total")
        out = pd.concat([out, totals], ignore_index=True)
    out["classification"] = table["classification"]
    out["population_group"] = out.population_group.astype("string")
    return out[AREA_COLUMNS]


def segregation(population: pd.DataFrame, spec: dict, regso_of: dict[str, str] | None = None) -> pd.DataFrame:
    """segregation_indices rows for DeSO and, where the DeSO→RegSO key is loaded, RegSO units: `group_a` against the
    rest of the classification's groups (D, isolation, exposure) and all its groups (H), both sexes together."""
    groups = population[(population.sex == "T") & (population.population_group != "total")].copy()
    # an area with a suppressed group is left out whole: counting the gap as 0 would bias every index
    gaps = groups.loc[groups.persons.isna(), ["area_code", "year"]].drop_duplicates()
    if len(gaps):
        groups = groups.merge(gaps, how="left", indicator=True).query("_merge == 'left_only'").drop(columns="_merge")
    groups["municipality_code"] = groups.area_code.str[:4]
    groups["persons"] = groups.persons.astype(float)
    units = {"DeSO": groups}
    if regso_of:
        mapped = groups.assign(area_code=groups.area_code.map(regso_of))
        if mapped.area_code.notna().any():
            units["RegSO"] = mapped.dropna(subset=["area_code"])
    frames = []
    for unit, rows in units.items():
        indices = indices_by_municipality(rows, "population_group", spec["group_a"])
        frames.append(indices.assign(grouping=spec["grouping"], area_unit=unit))
    out = pd.concat(frames, ignore_index=True)
    out["population"] = out.population.round().astype("Int64")
    return out[["municipality_code", "year", "grouping", "area_unit", "dissimilarity", "isolation", "exposure",
                "entropy_index", "areas", "population", "group_share"]]
