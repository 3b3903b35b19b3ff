"""PxWeb indicator tables (Folkhälsodata, SCB's municipal tables) → conformed indicator values and dim_indicator rows,
in the same shapes as Kolada's, so one validation suite and one loader serve every source. Pure.

A table's catalogue entry maps its variables to conformed columns (`columns`, `codes`) and names the variable whose
values are separate indicators (`indicator_by`, usually the age band or ContentsCode). A table without a sex variable
gives sex T."""

from __future__ import annotations

import pandas as pd

from transforms.kolada import catalogue_fields, indicator_frame


def indicators_frame(table: dict, source: str) -> pd.DataFrame:
    ref = table.get("path") or table["id"]
    rows = [{"indicator_id": spec["id"], "source": source, "source_indicator_id": f"{ref}:{key}",
             "title": spec["title"], "description": spec.get("description"), "unit": spec["unit"],
             "unit_label": spec.get("unit_label"), "is_divided_by_sex": "sex" in table["columns"].values(),
             "municipality_type": None, "is_discontinued": False, "discontinued_after": None,
             "last_published_period": None, **catalogue_fields(spec)}
            for key, spec in table["indicators"].items()]
    return indicator_frame(rows)


def values_frame(frame: pd.DataFrame, table: dict, source: str) -> pd.DataFrame:
    """Cells → conformed values. Only the catalogue's indicators are kept (the query asks only for those)."""
    by = table["indicator_by"]
    ids = {key: spec["id"] for key, spec in table["indicators"].items()}
    frame = frame[frame[by].isin(ids)]
    columns, codes = table["columns"], table.get("codes", {})
    out = pd.DataFrame({"indicator_id": frame[by].map(ids).astype("string")})
    for source_column, target in columns.items():
        values = frame[source_column]
        out[target] = values.map(codes[source_column]).astype("string") if source_column in codes else values
    if "sex" not in out:
        out["sex"] = pd.array(["T"] * len(out), dtype="string")
    out["year"] = pd.to_numeric(out["year"].str[:4], errors="coerce").astype("Int64")
    out["period"] = out["year"].astype("string")
    out["value"] = frame["value"].astype("Float64")
    out["invalid_value"] = pd.array([False] * len(out), dtype="boolean")  # the decoder already made ".." etc. NULL
    out["status"] = frame["status"]
    out["is_deleted"] = pd.array([False] * len(out), dtype="boolean")
    out["unit"] = out.indicator_id.map({s["id"]: s["unit"] for s in table["indicators"].values()}).astype("string")
    out["source"] = source
    out["snapshot_id"] = frame["snapshot_id"] if "snapshot_id" in frame else pd.NA
    return out.reset_index(drop=True)
