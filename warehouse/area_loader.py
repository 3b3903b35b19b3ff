"""Loads SCB's non-indicator tables — area files (dim_area, fct_area_type), area population + segregation indices,
municipal population by age — on the shared batch primitives: one transaction, merges on the grain key, unchanged rows
untouched."""

from __future__ import annotations

import duckdb
import pandas as pd

from sources.snapshots import Snapshot
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
    "segregation_indices": ["municipality_code", "year", "grouping", "area_unit"],
    "fct_population": ["municipality_code", "year", "sex", "age_group"],
}


def load_area_batch(con: duckdb.DuckDBPyConnection, run_id: str, source_row: dict, frames: dict[str, pd.DataFrame],
                    quarantined: pd.DataFrame | None = None, snapshots: list[Snapshot] | None = None,
                    rows_received: int = 0, mode: str = "file", quarantine_table: str = "fct_area_type") -> BatchResult:
    """`frames`: table name (one of AREA_TABLES) → rows to merge, in dependency order. Quarantined rows are recorded
    against `quarantine_table`, the table they were meant for."""
    with batch_transaction(con, source_row["source"], mode, run_id, rows_received) as result:
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
        if quarantined is not None:
            result.rows_quarantined = record_quarantine(con, result.load_id, source_row["source"], quarantine_table,
                                                        quarantined)
        record_snapshots(con, result.load_id, snapshots or [])
        result.snapshot_ids = [s.snapshot_id for s in snapshots or []]
        record_success(con, source_row["source"], result.load_id, full=mode == "full")
    return result
