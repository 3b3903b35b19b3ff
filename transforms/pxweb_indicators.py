"""PxWeb indicator tables (Folkhälsodata, SCB's municipal tables) → conformed indicator values and dim_indicator rows,
in the same shapes as Kolada's, so one validation suite and one loader serve every source. Pure.

A table's catalogue entry maps its variables to conformed columns (`columns`, `codes`) and names the variable whose
values are separate indicators (`indicator_by`; the `indicators` keys are its codes or, where a source's codes are not
documented, its published labels). A table without a sex variable gives sex T.

Survey tables (Nationella folkhälsoenkäten) add two things:
- `measure_by`: a variable whose values are not indicators but parts of one value — the share, the confidence
  interval's bounds and the number of answers (`measures` maps them to value / ci_low / ci_high / respondents);
- pooled multi-year periods ('2019-2022'): kept as the period, with the span's last year as `year`, never a fake
  single year. `geography: county` reads two-digit county codes ('12') as the warehouse's '0012' (and '00' → '0000')."""

from __future__ import annotations

import re

import pandas as pd

from transforms.kolada import catalogue_fields, indicator_frame

PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def indicators_frame(table: dict, source: str) -> pd.DataFrame:
    ref = table.get("path") or table["id"]
    rows = [
        {
            "indicator_id": spec["id"],
            "source": source,
            "source_indicator_id": f"{ref}:{key}",
            "title": spec["title"],
            "description": spec.get("description"),
            "unit": spec["unit"],
            "unit_label": spec.get("unit_label"),
            "is_divided_by_sex": "sex" in table["columns"].values(),
            "municipality_type": None,
            "is_discontinued": False,
            "discontinued_after": None,
            "last_published_period": None,
            **catalogue_fields(spec),
        }
        for key, spec in table["indicators"].items()
    ]
    return indicator_frame(rows)


def _by_code_or_label(frame: pd.DataFrame, variable: str, mapping: dict) -> pd.Series:
    """Map a variable's cells through `mapping`, whose keys are codes or published labels."""
    by_code = frame[variable].map(mapping)
    label = f"{variable}_label"
    return by_code.fillna(frame[label].map(mapping)) if label in frame else by_code


def values_frame(frame: pd.DataFrame, table: dict, source: str) -> pd.DataFrame:
    """Cells → conformed values. Only the catalogue's indicators are kept (the query asks only for those)."""
    by = table["indicator_by"]
    ids = {key: spec["id"] for key, spec in table["indicators"].items()}
    frame = frame.assign(indicator_id=_by_code_or_label(frame, by, ids).astype("string"))
    frame = frame[frame.indicator_id.notna()]
    columns, codes = table["columns"], table.get("codes", {})
    time_column = next(s for s, t in columns.items() if t == "year")
    if "measure_by" in table:
        frame = _pivot_measures(frame, table, time_column)
    out = pd.DataFrame({"indicator_id": frame.indicator_id})
    for source_column, target in columns.items():
        values = frame[source_column]
        out[target] = values.map(codes[source_column]).astype("string") if source_column in codes else values
    if table.get("geography") == "county":
        out["municipality_code"] = out.municipality_code.str.zfill(4)
    if "sex" not in out:
        out["sex"] = pd.array(["T"] * len(out), dtype="string")
    period = frame[time_column].astype("string").str.extract(PERIOD)
    out["period"] = frame[time_column].astype("string").where(period[0].notna())
    out["year"] = pd.to_numeric(period[1].fillna(period[0]), errors="coerce").astype("Int64")
    out["value"] = frame["value"].astype("Float64")
    for extra in ("ci_low", "ci_high", "respondents"):
        if extra in frame:
            out[extra] = frame[extra].astype("Int64" if extra == "respondents" else "Float64")
    out["invalid_value"] = pd.array([False] * len(out), dtype="boolean")  # the decoder already made ".." etc. NULL
    out["status"] = frame["status"]
    out["is_deleted"] = pd.array([False] * len(out), dtype="boolean")
    out["unit"] = out.indicator_id.map({s["id"]: s["unit"] for s in table["indicators"].values()}).astype("string")
    out["source"] = source
    out["snapshot_id"] = frame["snapshot_id"] if "snapshot_id" in frame else pd.NA
    return out.reset_index(drop=True)


def _pivot_measures(frame: pd.DataFrame, table: dict, time_column: str) -> pd.DataFrame:
    """One row per cell of every measure → one row per value with ci_low, ci_high and respondents beside it."""
    measure = _by_code_or_label(frame, table["measure_by"], table["measures"])
    unknown = sorted(set(frame.loc[measure.isna(), table["measure_by"]]))
    if unknown:
        raise ValueError(f"table {table.get('path') or table['id']}: measures not in the catalogue: {unknown}")
    keys = ["indicator_id", *[c for c in table["columns"] if c != table["measure_by"]]]
    wide = frame.assign(_measure=measure).pivot_table(
        index=keys, columns="_measure", values="value", aggfunc="first", dropna=False
    )
    value_cells = frame[measure == "value"].set_index(keys)  # the share's status and snapshot stand for the row
    return wide.join(value_cells[[c for c in ("status", "snapshot_id") if c in value_cells]]).reset_index()
