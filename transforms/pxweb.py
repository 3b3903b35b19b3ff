"""PxWeb payloads → tidy frames. Pure functions for both API generations:

- v2 (and v1 with `"response": {"format": "json-stat2"}`): json-stat2 — `id` gives the dimension order, `size` the
  lengths, `dimension[d].category.index` maps code → position, and `value` is one flat row-major array (the last
  dimension varies fastest). Decoded with numpy index arithmetic, not loops over cells.
- v1 "json": `columns` (code, text, type d/t/c) + `data` rows of `key` and `values` (strings; ".." etc. for missing).
Missing/suppressed cells become NULL; the symbol is kept in `status`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.jsonstat import category_codes

# PX missing-value symbols: "." not applicable, ".." not available, "..." not yet, "-" nil/rounded to zero
MISSING_SYMBOLS = {".", "..", "...", "....", "-", ""}


def jsonstat2_frame(payload: dict) -> pd.DataFrame:
    """One row per cell: per dimension a code column and a `<dim>_label` column; `value` (NULL kept), `status`."""
    dims, sizes = list(payload["id"]), list(payload["size"])
    total = int(np.prod(sizes)) if sizes else 0
    values = payload.get("value")
    if isinstance(values, dict):  # sparse form: {"position": value}
        dense = [None] * total
        for position, value in values.items():
            dense[int(position)] = value
        values = dense
    if len(values) != total:
        shape = dict(zip(dims, sizes, strict=True))
        raise ValueError(f"json-stat2: {len(values)} values for a cube of {total} cells ({shape})")
    columns: dict[str, object] = {}
    positions = np.indices(sizes).reshape(len(sizes), -1) if sizes else np.empty((0, 0), dtype=int)
    for axis, dim in enumerate(dims):
        category = payload["dimension"][dim]["category"]
        codes = np.array(category_codes(category), dtype=object)
        labels = category.get("label", {})
        if len(codes) != sizes[axis]:
            raise ValueError(f"json-stat2: dimension {dim} has {len(codes)} categories, size says {sizes[axis]}")
        picked = codes[positions[axis]]
        columns[dim] = pd.array(picked, dtype="string")
        columns[f"{dim}_label"] = pd.array([labels.get(c, c) for c in codes], dtype="string")[positions[axis]]
    status = payload.get("status") or {}
    if isinstance(status, list):
        status = {i: s for i, s in enumerate(status) if s}
    status_column = [None] * total
    for position, symbol in status.items():
        status_column[int(position)] = symbol
    columns["value"] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
    columns["status"] = pd.array(status_column, dtype="string")
    return pd.DataFrame(columns)


def v1_json_frame(payload: dict) -> pd.DataFrame:
    """PxWeb v1 `"format": "json"`: one row per key and content column; '..'-style symbols → NULL with status."""
    columns = payload["columns"]
    keys = [c["code"] for c in columns if c.get("type") in ("d", "t")]
    contents = [c["code"] for c in columns if c.get("type") == "c"]
    rows = []
    for record in payload["data"]:
        for content, raw in zip(contents, record["values"], strict=True):
            text = str(raw).strip()
            missing = text in MISSING_SYMBOLS
            rows.append(
                [*record["key"], content, None if missing else float(text.replace(",", ".")), text if missing else None]
            )
    frame = pd.DataFrame(rows, columns=[*keys, "ContentsCode", "value", "status"])
    for column in [*keys, "ContentsCode", "status"]:
        frame[column] = frame[column].astype("string")
    frame["value"] = frame["value"].astype("Float64")
    return frame
