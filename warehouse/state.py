"""Reads of run metadata: incremental cursors (meta.source_state) and run bookkeeping (meta.run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from warehouse.db import run_sql


@dataclass
class SourceState:
    source: str
    cursor_from_date: date | None = None
    last_full_refresh_at: datetime | None = None
    last_success_at: datetime | None = None
    scope_fingerprint: str | None = None


def source_state(con: duckdb.DuckDBPyConnection, source: str) -> SourceState:
    rows = run_sql(
        con,
        "SELECT cursor_from_date, last_full_refresh_at, last_success_at, scope_fingerprint "
        "FROM meta.source_state WHERE source = ?",
        [source],
    )
    return SourceState(source, *rows[0]) if rows else SourceState(source)


def table_loaded_at(con: duckdb.DuckDBPyConnection, source: str, dataset: str) -> datetime | None:
    """When this table of the source last loaded successfully (its own batch) in the current scope (region); None if
    it never did — so a table that failed, or was loaded for another region, is downloaded again on the next run,
    whatever the others did."""
    rows = run_sql(
        con,
        "SELECT max(b.finished_at) FROM meta.load_batch b LEFT JOIN meta.source_state s "
        "USING (source) WHERE b.source = ? AND b.dataset = ? AND b.status IN ('loaded', 'unchanged') "
        "AND (s.scope_changed_at IS NULL OR b.finished_at > s.scope_changed_at)",
        [source, dataset],
    )
    return rows[0][0] if rows else None


def last_full_received(con: duckdb.DuckDBPyConnection, source: str, dataset: str | None) -> int | None:
    """Rows received by the source's (table's) last full refresh in the current scope: the baseline a new full
    refresh is compared with (warehouse/loader.py `DeletionGuard`)."""
    rows = run_sql(
        con,
        "SELECT b.rows_received FROM meta.load_batch b LEFT JOIN meta.source_state s USING (source) "
        "WHERE b.source = ? AND b.dataset IS NOT DISTINCT FROM ? AND b.mode IN ('full', 'offline') "
        "AND b.status IN ('loaded', 'unchanged') "
        "AND (s.scope_changed_at IS NULL OR b.finished_at > s.scope_changed_at) "
        "ORDER BY b.finished_at DESC LIMIT 1",
        [source, dataset],
    )
    return int(rows[0][0]) if rows and rows[0][0] else None


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, command: str) -> None:
    run_sql(
        con,
        "INSERT INTO meta.run (run_id, command, started_at, status) VALUES (?, ?, now(), 'running') "
        "ON CONFLICT (run_id) DO NOTHING",
        [run_id, command],
    )


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Runs and batches still 'running' when a new run starts (it holds the writer lock, so they are not running:
    a kill -9, a power cut) become 'interrupted'. Returns how many runs."""
    n = run_sql(
        con,
        "UPDATE meta.run SET status = 'interrupted', finished_at = now(), message = "
        "'interrupted: the process ended before the run finished' WHERE status = 'running'",
    )[0][0]
    run_sql(con, "UPDATE meta.load_batch SET status = 'interrupted', finished_at = now() WHERE status = 'running'")
    return int(n)


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, message: str = "") -> None:
    run_sql(
        con,
        "UPDATE meta.run SET finished_at = now(), status = ?, message = ? WHERE run_id = ?",
        [status, message[:2000], run_id],
    )
