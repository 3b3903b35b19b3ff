"""Loads a register batch: projects and their funding as SCD2 (history kept), organisations and municipalities.

Built on the same primitives as every batch (`batch_transaction`, `merge_frame`, `registered`): one transaction,
bulk statements from DataFrames, unchanged projects untouched — so re-ingesting the same file writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from core.records import Snapshot
from warehouse.db import run_sql
from warehouse.loader import (
    BatchResult,
    batch_transaction,
    merge_frame,
    record_quarantine,
    record_snapshots,
    record_success,
    registered,
)

PROJECT_COLUMNS = ["register", "project_id", "name", "summary", "programme", "specific_objective", "phase",
                   "fund_code", "owner_org_key", "region_text", "start_date", "end_date", "is_synthetic", "row_hash"]
FUNDING_COLUMNS = ["register", "project_id", "total_budget_sek", "eu_support_sek", "total_budget_eur",
                   "eu_support_eur", "cofinancing_rate"]


@dataclass
class RegisterBatch:
    run_id: str
    source_rows: list[dict]
    projects: pd.DataFrame
    organisations: pd.DataFrame  # org_key, org_number, org_name, sector, sector_method
    project_organisations: pd.DataFrame
    project_municipalities: pd.DataFrame
    funds: pd.DataFrame
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)  # project_id, reason, record
    snapshots: list[Snapshot] = field(default_factory=list)
    rows_received: int = 0
    unplaced: pd.DataFrame | None = None  # projects loaded with no municipality link (project_id, reason): reported


def scd2_merge(con: duckdb.DuckDBPyConnection, load_id: int, projects: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Close changed current rows, insert new versions; return (new-or-changed keys, inserted, updated)."""
    incoming = projects[PROJECT_COLUMNS]
    with registered(con, _projects=incoming):
        changed = run_sql(con, """
            SELECT i.register, i.project_id, p.project_id IS NOT NULL AS existed
            FROM _projects i LEFT JOIN dim_project p
              ON p.register = i.register AND p.project_id = i.project_id AND p.is_current
            WHERE p.project_id IS NULL OR p.row_hash <> i.row_hash""")
        keys = pd.DataFrame(changed, columns=["register", "project_id", "existed"])
        if keys.empty:
            return keys, 0, 0
        with registered(con, _changed=keys):
            run_sql(con, """UPDATE dim_project p SET valid_to = now(), is_current = false FROM _changed c
                            WHERE p.register = c.register AND p.project_id = c.project_id AND p.is_current""")
            run_sql(con, f"""INSERT INTO dim_project ({", ".join(PROJECT_COLUMNS)}, valid_from, valid_to,
                             is_current, load_id)
                            SELECT i.*, now(), NULL, true, ? FROM _projects i
                            JOIN _changed c USING (register, project_id)""", [load_id])  # noqa: S608 (constants)
    return keys, int((~keys.existed).sum()), int(keys.existed.sum())


def _replace_for(con, table: str, keys: pd.DataFrame, rows: pd.DataFrame, load_id: int) -> None:
    """Replace a project's dependent rows (funding, bridges) for new or changed projects only."""
    subset = rows.merge(keys[["register", "project_id"]], on=["register", "project_id"])
    with registered(con, _keys=keys[["register", "project_id"]], _rows=subset.assign(load_id=load_id)):
        run_sql(con, f"DELETE FROM {table} t USING _keys k "  # noqa: S608 (fixed table names from this module)
                     "WHERE t.register = k.register AND t.project_id = k.project_id")
        if not subset.empty:
            columns = ", ".join(subset.columns) + ", load_id"
            run_sql(con, f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")  # noqa: S608


def _new_funding_versions(con, keys: pd.DataFrame, rows: pd.DataFrame, load_id: int) -> None:
    """Funding as SCD2, beside its project's version: the current amounts of new or changed projects are closed
    and the new ones start at the same `now()` (the transaction's start) as the project's new dim_project row."""
    subset = rows.merge(keys[["register", "project_id"]], on=["register", "project_id"]).assign(load_id=load_id)
    columns = ", ".join(subset.columns)
    with registered(con, _keys=keys[["register", "project_id"]], _rows=subset):
        run_sql(con, "UPDATE fct_project_funding t SET valid_to = now(), is_current = false FROM _keys k "
                     "WHERE t.register = k.register AND t.project_id = k.project_id AND t.is_current")
        if not subset.empty:
            run_sql(con, f"INSERT INTO fct_project_funding ({columns}, valid_from, valid_to, is_current) "  # noqa: S608
                         f"SELECT {columns}, now(), NULL, true FROM _rows")


def load_register_batch(con: duckdb.DuckDBPyConnection, batch: RegisterBatch) -> BatchResult:
    with batch_transaction(con, "registers", "file", batch.run_id, batch.rows_received) as result:
        for row in batch.source_rows:
            merge_frame(con, "dim_source", pd.DataFrame([row]), ["source"],
                        compare=[c for c in row if c not in ("source", "updated_at")])
        merge_frame(con, "dim_fund", batch.funds, ["fund_code"])
        merge_frame(con, "dim_organisation", batch.organisations, ["org_key"])
        keys, result.rows_inserted, result.rows_updated = scd2_merge(con, result.load_id, batch.projects)
        if not keys.empty:
            _new_funding_versions(con, keys, batch.projects[FUNDING_COLUMNS], result.load_id)
            _replace_for(con, "bridge_project_municipality", keys, batch.project_municipalities, result.load_id)
            _replace_for(con, "bridge_project_organisation", keys, batch.project_organisations, result.load_id)
        result.rows_quarantined = record_quarantine(con, result.load_id, "registers", "dim_project",
                                                    batch.quarantined)
        record_snapshots(con, result.load_id, batch.snapshots)
        result.snapshot_ids = [s.snapshot_id for s in batch.snapshots]
        record_success(con, "registers", result.load_id, full=False)
    return result
