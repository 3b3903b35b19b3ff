"""Folkhälsodata frames → conformed indicator values and dim_indicator rows (the same shapes as Kolada's, so one
validation suite and one loader serve both). Pure."""

from __future__ import annotations

import pandas as pd

from transforms.kolada import catalogue_fields, indicator_frame

SOURCE = "fohm"


def indicators_frame(table: dict) -> pd.DataFrame:
    rows = [{"indicator_id": spec["id"], "source": SOURCE, "source_indicator_id": f"{table['path']}:{key}",
             "title": spec["title"], "description": spec.get("description"), "unit": spec["unit"],
             "unit_label": spec.get("unit_label"), "is_divided_by_sex": True,
             "municipality_type": None, "is_discontinued": False, "discontinued_after": None,
             "last_published_period": None, **catalogue_fields(spec)}
            for key, spec in table["indicators"].items()]
    return indicator_frame(rows)


def values_frame(frame: pd.DataFrame, table: dict) -> pd.DataFrame:
    """Cells → conformed values; a cell whose variable value has no indicator in the catalogue is an error."""
    by = table["indicator_by"]
    ids = {key: spec["id"] for key, spec in table["indicators"].items()}
    frame = frame[frame[by].isin(ids)]
    columns, codes = table["columns"], table.get("codes", {})
    out = pd.DataFrame({"indicator_id": frame[by].map(ids).astype("string")})
    for source_column, target in columns.items():
        values = frame[source_column]
        out[target] = values.map(codes[source_column]).astype("string") if source_column in codes else values
    out["year"] = pd.to_numeric(out["year"].str[:4], errors="coerce").astype("Int64")
    out["period"] = out["year"].astype("string")
    out["value"] = frame["value"].astype("Float64")
    out["invalid_value"] = pd.array([False] * len(out), dtype="boolean")  # the decoder already made ".." etc. NULL
    out["status"] = frame["status"]
    out["is_deleted"] = pd.array([False] * len(out), dtype="boolean")
    out["unit"] = out.indicator_id.map({s["id"]: s["unit"] for s in table["indicators"].values()}).astype("string")
    out["source"] = SOURCE
    out["snapshot_id"] = frame["snapshot_id"] if "snapshot_id" in frame else pd.NA
    return out.reset_index(drop=True)
