"""Kolada v3 payloads → conformed frames for dim_indicator, dim_municipality and fct_indicator_value.

Kolada has no unit field: the unit is the suffix of the KPI title (", andel (%)", ", antal", ", kr/inv" …), and a
discontinued KPI ends its title in "(-2024)". Both are parsed here so the rules live in one place.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

import pandas as pd

SOURCE = "kolada"
_DISCONTINUED = re.compile(r"\s*\(-(\d{4})\)\s*$")

VALUE_COLUMNS = [
    "indicator_id",
    "municipality_code",
    "year",
    "sex",
    "value",
    "invalid_value",
    "raw_value",
    "status",
    "is_deleted",
    "snapshot_id",
]


def parse_title(title: str) -> dict:
    """Split a Kolada KPI title into its unit (normalised + as written) and its discontinuation year."""
    title = (title or "").strip()
    match = _DISCONTINUED.search(title)
    discontinued_after = int(match.group(1)) if match else None
    core = _DISCONTINUED.sub("", title)
    label = core.rsplit(",", 1)[1].strip() if "," in core else ""
    return {"unit": normalise_unit(label), "unit_label": label or None, "discontinued_after": discontinued_after}


def normalise_unit(label: str) -> str:
    """Map a Kolada title suffix onto a small set of unit codes analysts can filter on."""
    text = label.lower()
    if not text:
        return "unknown"
    if "(%)" in text or text.endswith("%") or text.startswith("procent"):
        return "percent"
    if text.startswith("antal/") or text.startswith("antal per"):
        return "count_per_population"
    if text in ("antal dagar", "dagar") or text.startswith("dagar"):
        return "days"
    if text.startswith("antal"):
        return "count"
    if text in ("kr", "tkr", "kronor"):
        return "sek"
    if text.startswith("kr/") or text.startswith("tkr/"):
        return "sek_per_unit"
    if text == "år":
        return "years"
    if text.startswith("index"):
        return "index"
    if text in ("genomsnitt", "medelvärde", "median") or text.startswith(("genomsnitt", "medelvärde")):
        return "mean"
    if "nej=0" in text.replace(" ", "") or "ja=1" in text.replace(" ", ""):
        return "yes_no"
    return "other"


def indicators_frame(kpis: Iterable[dict], catalog: dict[str, dict]) -> pd.DataFrame:
    """dim_indicator rows from Kolada `/kpi` records, enriched with our catalogue (topic, theme, direction…).

    `catalog` maps KPI id → the entry from schemas/catalog/kolada.yaml; ad-hoc ids not in it get topic 'other'.
    """
    rows = []
    for kpi in kpis:
        kpi_id = str(kpi["id"])
        entry = catalog.get(kpi_id, {})
        parsed = parse_title(kpi.get("title", ""))
        publ_period = kpi.get("publ_period")
        rows.append(
            {
                "indicator_id": kpi_id,
                "source": SOURCE,
                "source_indicator_id": kpi_id,
                "title": kpi.get("title"),
                "description": kpi.get("description"),
                "unit": entry.get("unit") or parsed["unit"],
                "unit_label": parsed["unit_label"],
                "is_divided_by_sex": _as_bool(kpi.get("is_divided_by_gender")),
                "municipality_type": kpi.get("municipality_type"),
                "is_discontinued": parsed["discontinued_after"] is not None,
                "discontinued_after": parsed["discontinued_after"],
                "last_published_period": int(publ_period) if str(publ_period or "").isdigit() else None,
                **catalogue_fields(entry),
            }
        )
    return indicator_frame(rows)


INDICATOR_COLUMNS = [
    "indicator_id",
    "source",
    "source_indicator_id",
    "title",
    "description",
    "unit",
    "unit_label",
    "topic",
    "theme",
    "target_area",
    "direction",
    "is_divided_by_sex",
    "municipality_type",
    "is_discontinued",
    "discontinued_after",
    "last_published_period",
    "series_break_note",
    "series_break_year",
    "is_headline",
]


def catalogue_fields(entry: dict) -> dict:
    """The dim_indicator columns every source takes from its catalogue YAML entry (one place, so Kolada and
    Folkhälsodata indicators carry the same analyst metadata)."""
    return {
        "topic": entry.get("topic", "other"),
        "theme": entry.get("theme"),
        "target_area": entry.get("target_area"),
        "direction": entry.get("direction"),
        "series_break_note": entry.get("series_break"),
        "series_break_year": entry.get("series_break_year"),
        "is_headline": bool(entry.get("headline", False)),
    }


def indicator_frame(rows: list[dict]) -> pd.DataFrame:
    """dim_indicator rows → a typed frame (nullable integers stay integers)."""
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS).astype(
        {
            "discontinued_after": "Int64",
            "last_published_period": "Int64",
            "target_area": "Int64",
            "series_break_year": "Int64",
        }
    )


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def values_frame(pages: Iterable[dict], snapshot_ids: Iterable[str | None] | None = None) -> pd.DataFrame:
    """Flatten `/data` pages (one record per kpi × municipality × period, nested values per sex) to one row per value.

    Ids stay strings (leading zeros), `period` becomes an int year, a null value stays NULL (never 0), a value that
    is not a number is flagged `invalid_value` (the suite quarantines it), `status`
    stays nullable text, and `isdeleted` (incremental responses; per value or per record) becomes `is_deleted`.
    """
    kpi, muni, year, sex, value, status, deleted, snaps = [], [], [], [], [], [], [], []
    pages = list(pages)
    snapshot_ids = list(snapshot_ids) if snapshot_ids is not None else [None] * len(pages)
    for page, snapshot_id in zip(pages, snapshot_ids, strict=True):
        for record in page.get("values") or []:
            record_deleted = bool(record.get("isdeleted", False))
            for v in record.get("values") or []:
                kpi.append(record.get("kpi"))
                muni.append(record.get("municipality"))
                year.append(record.get("period"))
                sex.append(v.get("gender"))
                value.append(v.get("value"))
                status.append(v.get("status") or None)
                deleted.append(record_deleted or bool(v.get("isdeleted", False)))
                snaps.append(snapshot_id)
    # a value is a number only when JSON says so: not `true` (a bool is an int in Python), not the `NaN` literal,
    # not the string "12.5" — anything else is kept out of `value` and flagged, never turned into a number or a NULL
    is_number = [type(v) in (int, float) and math.isfinite(v) for v in value]
    numeric = pd.array([float(v) if ok else None for v, ok in zip(value, is_number, strict=True)], dtype="Float64")
    frame = pd.DataFrame(
        {
            "indicator_id": pd.array([None if k is None else str(k) for k in kpi], dtype="string"),
            "municipality_code": pd.array([None if m is None else str(m) for m in muni], dtype="string"),
            "year": pd.to_numeric(pd.Series(year, dtype="object"), errors="coerce").astype("Int64"),
            "sex": pd.array(sex, dtype="string"),
            "value": numeric,
            # a value the source sent that is not a number ("5,3", "abc"): quarantined by the suite, never a silent NULL
            "invalid_value": pd.array(
                [v is not None and not ok for v, ok in zip(value, is_number, strict=True)], dtype="boolean"
            ),
            # what was sent instead, as JSON text ('true', 'NaN', '"12.5"'): the quarantine keeps it
            "raw_value": pd.array(
                [None if v is None or ok else json.dumps(v) for v, ok in zip(value, is_number, strict=True)],
                dtype="string",
            ),
            "status": pd.array(status, dtype="string"),
            "is_deleted": pd.array(deleted, dtype="boolean"),
            # one raw response per page: a category stores each 64-character id once, not once per value
            "snapshot_id": pd.Categorical(snaps),
        },
        columns=VALUE_COLUMNS,
    )
    return frame


def conform_values(values: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Add the conformed columns the warehouse needs: period (a year as text), the indicator's unit, the source."""
    return values.assign(
        period=values["year"].astype("string"),
        unit=values["indicator_id"].map(units).astype("string"),
        source=SOURCE,
    )


def municipalities_frame(records: Iterable[dict], seed: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    """dim_municipality from Kolada `/municipality` (type K) plus the checked-in seed of the 38 (names, kommungrupp).

    The seed wins for the 38 and guarantees them even if the upstream list is unavailable.
    """
    upstream = pd.DataFrame(
        [
            {"municipality_code": str(r["id"]), "municipality_name": r.get("title")}
            for r in records
            if str(r.get("type", "K")).upper() == "K" and re.fullmatch(r"\d{4}", str(r.get("id", "")))
        ],
        columns=["municipality_code", "municipality_name"],
    )
    seeded = seed[["municipality_code", "municipality_name", "kommungrupp"]]
    merged = pd.concat(
        [seeded, upstream[~upstream.municipality_code.isin(seeded.municipality_code)]], ignore_index=True
    )
    merged["county_code"] = merged.municipality_code.str[:2]
    merged = merged.merge(counties[["county_code", "county_name"]], on="county_code", how="left")
    merged["in_region"] = merged.municipality_code.isin(seed.municipality_code)
    merged["kommungrupp"] = merged["kommungrupp"].astype("string")
    cols = ["municipality_code", "municipality_name", "county_code", "county_name", "kommungrupp", "in_region"]
    return (
        merged[cols]
        .sort_values("municipality_code")
        .reset_index(drop=True)
        .astype(
            {
                "municipality_code": "string",
                "municipality_name": "string",
                "county_code": "string",
                "county_name": "string",
            }
        )
    )
