"""Loads SCB's non-indicator tables — area files (dim_area, fct_area_type), area population + segregation indices,
municipal population by age — on the shared batch primitives: one transaction, merges on the grain key, unchanged rows
untouched."""

from __future__ import annotations

import duckdb
import pandas as pd

from core.records import Snapshot
from warehouse.db import run_sql
from warehouse.loader import (
    BatchResult,
    MergeCounts,
    batch_transaction,
    merge_frame,
    record_quarantine,
    record_snapshots,
    record_success,
)

# table → grain key
AREA_TABLES = {
    "dim_municipality": ["municipality_code"],
    "dim_area": ["area_code"],
    "fct_area_type": ["area_code", "year"],
    "fct_area_population": ["area_code", "year", "sex", "age_group", "classification", "population_group"],
    "segregation_indices": ["municipality_code", "year", "grouping", "area_unit", "grid"],
    "fct_population": ["municipality_code", "year", "sex", "age_group"],
}


def load_area_batch(con: duckdb.DuckDBPyConnection, run_id: str, source_row: dict, frames: dict[str, pd.DataFrame],
                    quarantined: pd.DataFrame | None = None, snapshots: list[Snapshot] | None = None,
                    rows_received: int = 0, mode: str = "file", quarantine_table: str = "fct_area_type",
                    dataset: str | None = None) -> BatchResult:
    """`frames`: table name (one of AREA_TABLES) → rows to merge, in dependency order. Quarantined rows are recorded
    against `quarantine_table`, the table they were meant for. The years each area is in use (dim_area.first_year,
    last_year) follow from the area facts after the merge."""
    with batch_transaction(con, source_row["source"], mode, run_id, rows_received, dataset) as result:
        merge_frame(con, "dim_source", pd.DataFrame([source_row]), ["source"],
                    compare=[c for c in source_row if c not in ("source", "updated_at")])
        total = MergeCounts()
        for table, frame in frames.items():
            if table.startswith(("fct_", "segregation")):
                frame = frame.assign(load_id=result.load_id)
            counts = merge_frame(con, table, frame, AREA_TABLES[table],
                                 compare=[c for c in frame.columns if c not in AREA_TABLES[table] + ["load_id"]])
            total.inserted += counts.inserted
            total.updated += counts.updated
        result.rows_inserted, result.rows_updated = total.inserted, total.updated
        if {"fct_area_population", "fct_area_type"} & set(frames) and total.inserted + total.updated:
            refresh_area_years(con)
        if quarantined is not None:
            result.rows_quarantined = record_quarantine(con, result.load_id, source_row["source"], quarantine_table,
                                                        quarantined)
        record_snapshots(con, result.load_id, snapshots or [])
        result.snapshot_ids = [s.snapshot_id for s in snapshots or []]
        record_success(con, source_row["source"], result.load_id, full=mode == "full")
    return result


def refresh_area_years(con: duckdb.DuckDBPyConnection) -> None:
    """dim_area.first_year / last_year: the years any loaded area table has figures for the area (off-grid cells
    are never loaded, so these are the years the area is in use)."""
    run_sql(con, "UPDATE dim_area d SET first_year = y.first_year, last_year = y.last_year FROM ("
                 "SELECT area_code, min(year) AS first_year, max(year) AS last_year FROM ("
                 "SELECT area_code, year FROM fct_area_population UNION ALL SELECT area_code, year FROM fct_area_type"
                 ") GROUP BY area_code) y WHERE y.area_code = d.area_code "
                 "AND (d.first_year IS DISTINCT FROM y.first_year OR d.last_year IS DISTINCT FROM y.last_year)")
