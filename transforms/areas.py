"""SCB area files → dim_area / fct_area_type rows. Pure.

Two real SCB exports (../shared/reference/segregation/):
- the DeSO→RegSO key: `Kommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020` (BOM);
- the RegSO area-type classification (områdestyp 1-5) from Statistikdatabasen: a header `,2022[,2023…]`, rows
  labelled "Kommun (RegSO name)" with no code, then a blank row and footnotes (which include SCB's contact person:
  nothing after the data block is read). A newer export that labels rows "0114R001 Bollstanäs" is read too.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

DESO = re.compile(r"^\d{4}[ABC]\d{4}(_DeSO2025)?$")
REGSO = re.compile(r"^\d{4}R\d{3}(_RegSO2025)?$")
# SCB's area grids (SOURCES.md §2; codes as in ../shared/reference/real_responses/omraden_befolkning.json): the 2025
# versions carry a suffix in the same Region variable, so a code names its grid and two grids never share a key.
GRIDS = {
    "DeSO2018": ("DeSO", 2018),
    "DeSO2025": ("DeSO", 2025),
    "RegSO2020": ("RegSO", 2020),
    "RegSO2025": ("RegSO", 2025),
}


def grid_of(codes: pd.Series) -> pd.Series:
    """The grid of each area code ('DeSO2018', 'DeSO2025', 'RegSO2020', 'RegSO2025'); NA for anything else (a
    municipality or county code). Vectorised: the national tables have ~12 000 area codes."""
    codes = codes.astype("string")
    deso, regso = codes.str.fullmatch(DESO.pattern), codes.str.fullmatch(REGSO.pattern)
    new = codes.str.endswith("2025")
    out = pd.Series(pd.NA, index=codes.index, dtype="string")
    out[deso & ~new], out[deso & new] = "DeSO2018", "DeSO2025"
    out[regso & ~new], out[regso & new] = "RegSO2020", "RegSO2025"
    return out


def area_rows(codes: pd.Series, names: pd.Series | None = None, regso: pd.Series | None = None) -> pd.DataFrame:
    """dim_area rows for area codes of any grid: level, grid and grid version from the code itself."""
    codes = codes.astype("string").reset_index(drop=True)
    grid = grid_of(codes)
    level = grid.map({g: spec[0] for g, spec in GRIDS.items()}).astype("string")
    regso = regso.reset_index(drop=True) if regso is not None else codes.where(level == "RegSO")
    version = grid.map({g: spec[1] for g, spec in GRIDS.items()}).astype("Int64")
    return pd.DataFrame(
        {
            "area_code": codes,
            "area_level": level,
            "grid_version": version,
            "grid": grid,
            "area_name": (
                names.reset_index(drop=True)
                if names is not None
                else pd.Series(pd.NA, index=codes.index, dtype="string")
            ),
            "municipality_code": codes.str[:4],
            "regso_code": regso.astype("string"),
        }
    )


def parse_key(text: str) -> pd.DataFrame:
    """dim_area rows for DeSO 2018 (with their RegSO 2020) and RegSO 2020: the key file is of those two grids."""
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str).rename(columns=str.lower)
    bad = frame[~frame.deso_2018.str.fullmatch(r"\d{4}[ABC]\d{4}") | ~frame.regsokod_2020.str.fullmatch(r"\d{4}R\d{3}")]
    if len(bad):
        raise ValueError(f"{len(bad)} rows with malformed DeSO 2018/RegSO 2020 codes, e.g. {bad.iloc[0].to_dict()}")
    deso = area_rows(frame.deso_2018, regso=frame.regsokod_2020)
    regso = frame.drop_duplicates("regsokod_2020")
    return pd.concat([deso, area_rows(regso.regsokod_2020, names=regso.regso_2020)], ignore_index=True)


def municipalities_from_key(text: str, region_codes: set[str], counties: pd.DataFrame) -> pd.DataFrame:
    """Every municipality the key names (all 290): dim_municipality rows for codes not yet known."""
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str).rename(columns=str.lower)
    frame = frame.drop_duplicates("kommun")
    out = pd.DataFrame({"municipality_code": frame.kommun.str.zfill(4), "municipality_name": frame.kommunnamn})
    out["county_code"] = out.municipality_code.str[:2]
    out = out.merge(counties[["county_code", "county_name"]], on="county_code", how="left")
    out["kommungrupp"] = None
    out["in_region"] = out.municipality_code.isin(region_codes)
    return out[["municipality_code", "municipality_name", "county_code", "county_name", "kommungrupp", "in_region"]]


def parse_area_types(text: str) -> pd.DataFrame:
    """Rows (municipality_name, regso_name or regso_code, year, area_type) from the classification export."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader)
    years = [int(y) for y in header[1:] if y.strip()]
    rows = []
    for record in reader:
        if not record or not record[0].strip():
            break  # the data block ends at the first blank row; footnotes follow
        label = record[0].strip()
        code_match = re.match(r"^(\d{4}R\d{3})\s+(.*)$", label)
        if code_match:
            municipality, regso_name, regso_code = None, code_match.group(2), code_match.group(1)
        elif " (" in label and label.endswith(")"):
            cut = label.index(" (")
            municipality, regso_name, regso_code = label[:cut], label[cut + 2 : -1], None
        else:
            raise ValueError(f"unexpected row label {label!r}: expected 'Kommun (RegSO name)' or 'RegSO-code name'")
        for year, value in zip(years, record[1:], strict=False):
            value = value.strip()
            rows.append(
                {
                    "municipality_name": municipality,
                    "regso_name": regso_name,
                    "regso_code": regso_code,
                    "year": year,
                    "area_type": int(value) if value.isdigit() else None,
                }
            )
    if not rows:
        raise ValueError("no area-type rows found")
    return pd.DataFrame(rows)


def resolve_area_types(types: pd.DataFrame, areas: pd.DataFrame, municipalities: pd.DataFrame) -> tuple:
    """(resolved fct_area_type rows, unresolved rows with a reason) by code, or by (municipality, RegSO name)."""
    regso = areas[areas.area_level == "RegSO"].merge(
        municipalities[["municipality_code", "municipality_name"]], on="municipality_code", how="left"
    )
    by_name = {(m, n): c for m, n, c in zip(regso.municipality_name, regso.area_name, regso.area_code, strict=True)}
    known = set(regso.area_code)
    codes = [
        c if isinstance(c, str) and c in known else by_name.get((m, n))
        for c, m, n in zip(types.regso_code, types.municipality_name, types.regso_name, strict=True)
    ]
    types = types.assign(area_code=codes)
    unresolved = types[types.area_code.isna()].assign(
        reason="RegSO not found in dim_area (ingest the DeSO→RegSO key first, or the name changed)"
    )
    resolved = types[types.area_code.notna()][["area_code", "year", "area_type"]]
    return resolved.rename(columns={"area_type": "socioeconomic_area_type"}), unresolved
