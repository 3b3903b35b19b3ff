"""The bookkeeping of a load in the `meta` schema: the batch row and its transaction, the raw snapshots it read,
the quarantine, and each source's state (cursor, last full refresh, scope, last failure)."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from core.records import Snapshot
from warehouse.db import run_sql
from warehouse.merge import registered


@dataclass
class BatchResult:
    load_id: int
    source: str
    status: str
    rows_received: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    rows_quarantined: int = 0
    requests_made: int = 0
    snapshot_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    dataset: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.rows_inserted or self.rows_updated or self.rows_deleted)


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(run_sql(con, "SELECT nextval('meta.load_id_seq')")[0][0])


@contextmanager
def batch_transaction(
    con: duckdb.DuckDBPyConnection,
    source: str,
    mode: str,
    run_id: str,
    rows_received: int = 0,
    dataset: str | None = None,
):
    """One transaction per source batch. Yields the BatchResult (its load_id names the batch) for the body to fill;
    commits together with the batch's meta.load_batch row, or rolls everything back and re-raises (the caller
    records the failure with `record_failure`, which needs no open transaction). `dataset`: the table or file of
    the source the batch loads (each PxWeb table is a batch of its own)."""
    started = time.monotonic()
    result = BatchResult(
        load_id=next_load_id(con), source=source, status="loaded", rows_received=rows_received, dataset=dataset
    )
    con.begin()
    try:
        run_sql(
            con,
            "INSERT INTO meta.load_batch (load_id, run_id, source, mode, started_at, status, dataset) "
            "VALUES (?, ?, ?, ?, now(), 'running', ?)",
            [result.load_id, run_id, source, str(mode), dataset],
        )
        yield result
        result.status = "loaded" if result.changed else "unchanged"
        result.seconds = time.monotonic() - started
        run_sql(
            con,
            "UPDATE meta.load_batch SET finished_at = now(), status = ?, rows_received = ?, "
            "rows_inserted = ?, rows_updated = ?, rows_deleted = ?, rows_quarantined = ?, requests_made = ?, "
            "snapshot_ids = ? WHERE load_id = ?",
            [
                result.status,
                result.rows_received,
                result.rows_inserted,
                result.rows_updated,
                result.rows_deleted,
                result.rows_quarantined,
                result.requests_made,
                result.snapshot_ids,
                result.load_id,
            ],
        )
        con.commit()
    except BaseException:
        try:
            con.rollback()
        except duckdb.Error:  # e.g. the disk filled and DuckDB already aborted: the first error is the one to see
            pass
        raise


def record_quarantine(con, load_id: int, source: str, target_table: str, rows: pd.DataFrame) -> int:
    """Failing rows with their `reason` (or a `record` column already holding the record) → meta.quarantine."""
    if rows is None or rows.empty:
        return 0
    if "record" in rows.columns:
        records = [json.dumps(r, ensure_ascii=False, default=str) for r in rows["record"]]
    else:
        data = rows.drop(columns=["reason"])
        data = data.astype(object).where(data.notna(), None)
        records = [json.dumps(r, ensure_ascii=False, default=str) for r in data.to_dict("records")]
    frame = pd.DataFrame(
        {
            "load_id": load_id,
            "source": source,
            "target_table": target_table,
            "reason": rows["reason"].astype(str).to_numpy(),
            "record": records,
        }
    )
    # the same record already waiting in the quarantine (an unchanged file ingested again) is not added twice
    with registered(con, _quarantine=frame):
        run_sql(
            con,
            "INSERT INTO meta.quarantine (quarantine_id, load_id, source, target_table, reason, record, "
            "quarantined_at, record_key) "
            "SELECT nextval('meta.quarantine_id_seq'), load_id, source, target_table, reason, record::JSON, "
            "now(), key FROM (SELECT DISTINCT ON (key) *, sha256(source || '|' || target_table || '|' || "
            "record::JSON::VARCHAR) AS key FROM _quarantine) q "
            "WHERE NOT EXISTS (SELECT 1 FROM meta.quarantine o WHERE o.record_key = q.key "
            "AND NOT o.resolved)",
        )
    return len(frame)


def record_snapshots(con, load_id: int, snapshots: list[Snapshot]) -> None:
    if not snapshots:
        return
    frame = pd.DataFrame(
        [
            {
                "snapshot_id": s.snapshot_id,
                "load_id": load_id,
                "source": s.source,
                "url": s.url,
                "params": json.dumps(s.params),
                "fetched_at": s.fetched_at or None,
                "http_status": s.status,
                "content_type": s.content_type,
                "n_bytes": s.n_bytes,
                "is_synthetic": bool(s.synthetic),
            }
            for s in snapshots
        ]
    )
    with registered(con, _snapshots=frame):
        run_sql(
            con,
            "INSERT INTO meta.raw_snapshot BY NAME SELECT snapshot_id, load_id, source, url, "
            "params::JSON AS params, fetched_at::TIMESTAMP AS fetched_at, http_status, content_type, n_bytes, "
            "is_synthetic FROM _snapshots",
        )


def record_success(
    con, source: str, load_id: int, full: bool, new_cursor: date | None = None, scope_fingerprint: str | None = None
) -> None:
    run_sql(
        con,
        "INSERT INTO meta.source_state (source, cursor_from_date, last_full_refresh_at, last_success_at, last_load_id, "
        "scope_fingerprint) VALUES (?, ?, CASE WHEN ? THEN now() END, now(), ?, ?) "
        "ON CONFLICT (source) DO UPDATE SET cursor_from_date = coalesce(excluded.cursor_from_date, cursor_from_date), "
        "last_full_refresh_at = coalesce(excluded.last_full_refresh_at, last_full_refresh_at), "
        "last_success_at = excluded.last_success_at, last_load_id = excluded.last_load_id, "
        "scope_fingerprint = coalesce(excluded.scope_fingerprint, scope_fingerprint)",
        [source, new_cursor, full, load_id, scope_fingerprint],
    )


def record_scope(con, source: str, scope_fingerprint: str) -> bool:
    """The scope (region) the source now loads; when it differs from the recorded one, `scope_changed_at` moves to
    now, so every table's earlier loads count as another scope's (warehouse/state.py `table_loaded_at`). True when
    the scope changed."""
    rows = run_sql(con, "SELECT scope_fingerprint FROM meta.source_state WHERE source = ?", [source])
    if rows and rows[0][0] == scope_fingerprint:
        return False
    run_sql(
        con,
        "INSERT INTO meta.source_state (source, scope_fingerprint, scope_changed_at) VALUES (?, ?, now()) "
        "ON CONFLICT (source) DO UPDATE SET scope_fingerprint = excluded.scope_fingerprint, "
        "scope_changed_at = excluded.scope_changed_at",
        [source, scope_fingerprint],
    )
    return bool(rows)


def record_failure(
    con: duckdb.DuckDBPyConnection,
    source: str,
    run_id: str,
    mode: str,
    reason: str,
    load_id: int | None = None,
    dataset: str | None = None,
) -> None:
    """Record a failed batch in its own transaction (the data transaction was rolled back)."""
    load_id = load_id or next_load_id(con)
    run_sql(
        con,
        "INSERT INTO meta.load_batch (load_id, run_id, source, mode, started_at, finished_at, status, "
        "message, dataset) VALUES (?, ?, ?, ?, now(), now(), 'failed', ?, ?)",
        [load_id, run_id, source, str(mode), reason[:2000], dataset],
    )
    run_sql(
        con,
        "INSERT INTO meta.source_state (source, last_failure_at, last_failure_reason) VALUES (?, now(), ?) "
        "ON CONFLICT (source) DO UPDATE SET last_failure_at = excluded.last_failure_at, "
        "last_failure_reason = excluded.last_failure_reason",
        [source, reason[:2000]],
    )
