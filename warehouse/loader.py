"""The one loader: a source batch goes into the warehouse in a single transaction, or not at all.

Facts and dimensions are merged on their grain key from DataFrames (bulk, never row by row). Unchanged rows are not
touched, so re-loading the same snapshot writes nothing. Deletions come two ways: explicit (Kolada's `isdeleted`) and,
on a full refresh, every row inside the requested scope that the source no longer serves.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from core.records import Snapshot
from warehouse.db import run_sql

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

FACT_KEY = ["indicator_id", "municipality_code", "period", "sex"]
FACT_COLUMNS = FACT_KEY + ["value", "status", "source", "load_id", "snapshot_id", "ci_low", "ci_high", "respondents"]
SURVEY_COLUMNS = ["ci_low", "ci_high", "respondents"]  # only survey tables have them; NULL for everything else


def ident(name: str) -> str:
    """Quote a table/column name after checking it is a plain identifier (never interpolate anything else)."""
    parts = name.split(".")
    if not all(_IDENT.match(p) for p in parts):
        raise ValueError(f"not a valid identifier: {name!r}")
    return ".".join(f'"{p}"' for p in parts)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pd.DataFrame):
    """Expose DataFrames to SQL by name for one statement group (zero-copy), then drop the names.

    If the SQL failed, the transaction is aborted and unregistering fails too; that second error must not hide
    the first, so it is ignored.
    """
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            try:
                con.unregister(name)
            except duckdb.Error:
                pass


@dataclass
class MergeCounts:
    inserted: int = 0
    updated: int = 0


def merge_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, key: list[str],
                compare: list[str] | None = None) -> MergeCounts:
    """Insert new keys, update keys whose `compare` columns changed, leave identical rows alone."""
    if frame.empty:
        return MergeCounts()
    cols = list(frame.columns)
    compare = compare or [c for c in cols if c not in key]
    t, on = ident(table), " AND ".join(f"t.{ident(k)} = i.{ident(k)}" for k in key)
    changed = " OR ".join(f"t.{ident(c)} IS DISTINCT FROM i.{ident(c)}" for c in compare) or "false"
    with registered(con, _incoming=frame):
        inserted = run_sql(con, f"SELECT count(*) FROM _incoming i WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE {on})"
                               )[0][0]
        updated = run_sql(con, f"SELECT count(*) FROM _incoming i JOIN {t} t ON {on} WHERE {changed}")[0][0]
        if inserted or updated:
            sets = ", ".join(f"{ident(c)} = i.{ident(c)}" for c in cols if c not in key)
            col_list = ", ".join(ident(c) for c in cols)
            values = ", ".join(f"i.{ident(c)}" for c in cols)
            matched = f"WHEN MATCHED AND ({changed}) THEN UPDATE SET {sets} " if sets else ""
            run_sql(con, f"MERGE INTO {t} t USING _incoming i ON {on} {matched}"
                        f"WHEN NOT MATCHED THEN INSERT ({col_list}) VALUES ({values})")
    return MergeCounts(int(inserted), int(updated))


def delete_keys(con: duckdb.DuckDBPyConnection, table: str, keys: pd.DataFrame, key: list[str]) -> int:
    """Delete the rows whose key is in `keys`; return how many went."""
    if keys.empty:
        return 0
    t, on = ident(table), " AND ".join(f"t.{ident(k)} = d.{ident(k)}" for k in key)
    with registered(con, _deleted=keys[key].drop_duplicates()):
        return int(run_sql(con, f"DELETE FROM {t} t USING _deleted d WHERE {on}")[0][0])


def _scope_filter(scope: dict[str, list]) -> tuple[str, dict[str, pd.DataFrame]]:
    """`scope` (column → allowed values) as a WHERE clause over `t` and the value frames it reads."""
    frames = {f"_scope_{n}": pd.DataFrame({"v": pd.Series(list(values), dtype="object")})
              for n, values in enumerate(scope.values())}
    where = " AND ".join(f"t.{ident(column)} IN (SELECT v FROM _scope_{n})" for n, column in enumerate(scope))
    return where, frames


def count_in_scope(con: duckdb.DuckDBPyConnection, table: str, scope: dict[str, list]) -> int:
    where, frames = _scope_filter(scope)
    with registered(con, **frames):
        return int(run_sql(con, f"SELECT count(*) FROM {ident(table)} t WHERE {where}")[0][0])


def delete_missing_in_scope(con: duckdb.DuckDBPyConnection, table: str, present: pd.DataFrame, key: list[str],
                            scope: dict[str, list]) -> int:
    """Full refresh: delete rows inside `scope` (column → allowed values) whose key is not in `present`."""
    if not scope:
        raise ValueError("a full-refresh deletion needs a scope; refusing to delete a whole table")
    t = ident(table)
    where, frames = _scope_filter(scope)
    on = " AND ".join(f"p.{ident(k)} = t.{ident(k)}" for k in key)
    sql = f"DELETE FROM {t} t WHERE {where} AND NOT EXISTS (SELECT 1 FROM _present p WHERE {on})"
    with registered(con, _present=present[key].drop_duplicates(), **frames):
        return int(run_sql(con, sql)[0][0])


class MassDeletionRefused(RuntimeError):
    """A full refresh would delete more than the catalogue allows, or received far fewer rows than the last one in
    the same scope — what an upstream outage answering 200 with nothing looks like. Nothing was loaded; `sydstat run
    --allow-deletions` (or a catalogue change) lets it through."""


@dataclass
class DeletionGuard:
    """The limits a full refresh must stay within (catalogue `load.max_delete_share` / `load.min_received_share`).
    `baseline_rows`: rows received by the last full refresh of the same scope, when there is one."""

    max_delete_share: float = 0.05
    min_received_share: float = 0.5
    baseline_rows: int | None = None
    allowed: bool = False  # --allow-deletions

    def check_received(self, received: int, what: str) -> None:
        if self.allowed or not self.baseline_rows or received >= self.min_received_share * self.baseline_rows:
            return
        raise MassDeletionRefused(
            f"{what}: received {received} rows, the last full refresh of the same scope received "
            f"{self.baseline_rows} (under {self.min_received_share:.0%} of it) — nothing loaded; if the source "
            f"really shrank, run again with --allow-deletions")

    def check_deleted(self, deleted: int, in_scope: int, what: str) -> None:
        if self.allowed or not deleted or deleted <= self.max_delete_share * in_scope:
            return
        raise MassDeletionRefused(
            f"{what}: would delete {deleted} of the {in_scope} rows in its scope ({deleted / in_scope:.1%}, more "
            f"than the {self.max_delete_share:.0%} allowed) — nothing loaded; if the source really removed them, "
            f"run again with --allow-deletions")


@dataclass
class IndicatorBatch:
    """Everything one source batch loads, already validated. Built by a flow, applied by `load_indicator_batch`."""

    source: str
    mode: str  # full | incremental | offline
    run_id: str
    source_row: dict
    indicators: pd.DataFrame
    values: pd.DataFrame  # conformed facts without load_id (FACT_COLUMNS minus load_id)
    deletions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FACT_KEY))
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)
    municipalities: pd.DataFrame | None = None
    full_refresh_scope: dict[str, list] | None = None
    snapshots: list[Snapshot] = field(default_factory=list)
    rows_received: int = 0
    requests_made: int = 0
    new_cursor: date | None = None
    scope_fingerprint: str | None = None
    dataset: str | None = None  # the PxWeb table of a per-table batch
    partial: bool = False  # some of the source's chunks failed: not a complete full refresh, whatever the mode
    deletion_guard: DeletionGuard = field(default_factory=DeletionGuard)


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


def periods_frame(periods: pd.Series) -> pd.DataFrame:
    """dim_period rows for yearly periods ('2024') and spans ('2019-2022')."""
    rows = []
    for period in sorted(set(periods.dropna().astype(str))):
        first, _, last = period.partition("-")
        start, end = int(first), int(last or first)
        rows.append({"period": period, "year": end, "period_start": date(start, 1, 1), "period_end": date(end, 12, 31),
                     "period_type": "span" if last else "year"})
    return pd.DataFrame(rows, columns=["period", "year", "period_start", "period_end", "period_type"])


@contextmanager
def batch_transaction(con: duckdb.DuckDBPyConnection, source: str, mode: str, run_id: str, rows_received: int = 0,
                      dataset: str | None = None):
    """One transaction per source batch. Yields the BatchResult (its load_id names the batch) for the body to fill;
    commits together with the batch's meta.load_batch row, or rolls everything back and re-raises (the caller
    records the failure with `record_failure`, which needs no open transaction). `dataset`: the table or file of
    the source the batch loads (each PxWeb table is a batch of its own)."""
    started = time.monotonic()
    result = BatchResult(load_id=next_load_id(con), source=source, status="loaded", rows_received=rows_received,
                         dataset=dataset)
    con.begin()
    try:
        run_sql(con, "INSERT INTO meta.load_batch (load_id, run_id, source, mode, started_at, status, dataset) "
                     "VALUES (?, ?, ?, ?, now(), 'running', ?)", [result.load_id, run_id, source, mode, dataset])
        yield result
        result.status = "loaded" if result.changed else "unchanged"
        result.seconds = time.monotonic() - started
        run_sql(con, "UPDATE meta.load_batch SET finished_at = now(), status = ?, rows_received = ?, "
                     "rows_inserted = ?, rows_updated = ?, rows_deleted = ?, rows_quarantined = ?, requests_made = ?, "
                     "snapshot_ids = ? WHERE load_id = ?",
                [result.status, result.rows_received, result.rows_inserted, result.rows_updated, result.rows_deleted,
                 result.rows_quarantined, result.requests_made, result.snapshot_ids, result.load_id])
        con.commit()
    except BaseException:
        try:
            con.rollback()
        except duckdb.Error:  # e.g. the disk filled and DuckDB already aborted: the first error is the one to see
            pass
        raise


def load_indicator_batch(con: duckdb.DuckDBPyConnection, batch: IndicatorBatch) -> BatchResult:
    """Apply an indicator batch atomically (see `batch_transaction`). A full refresh outside its `deletion_guard`
    is refused (MassDeletionRefused) and rolled back: nothing of it is loaded."""
    what = f"{batch.source} {batch.dataset or 'batch'}"
    if batch.full_refresh_scope and not batch.partial:
        batch.deletion_guard.check_received(batch.rows_received, what)
    with batch_transaction(con, batch.source, batch.mode, batch.run_id, batch.rows_received,
                           batch.dataset) as result:
        load_id = result.load_id
        merge_frame(con, "dim_source", pd.DataFrame([batch.source_row]), ["source"],
                    compare=[c for c in batch.source_row if c not in ("source", "updated_at")])
        if batch.municipalities is not None:
            merge_frame(con, "dim_municipality", batch.municipalities, ["municipality_code"])
        merge_frame(con, "dim_indicator", batch.indicators, ["indicator_id"])
        facts = batch.values.assign(load_id=load_id).reindex(columns=FACT_COLUMNS)
        merge_frame(con, "dim_period", periods_frame(pd.concat([facts.period, batch.deletions.get(
            "period", pd.Series(dtype="string"))])), ["period"])
        counts = merge_frame(con, "fct_indicator_value", facts, FACT_KEY,
                             compare=["value", "status", *[c for c in SURVEY_COLUMNS if c in batch.values]])
        result.rows_inserted, result.rows_updated = counts.inserted, counts.updated
        result.rows_deleted = delete_keys(con, "fct_indicator_value", batch.deletions, FACT_KEY)
        if batch.full_refresh_scope:
            keep = pd.concat([facts[FACT_KEY], batch.quarantined.reindex(columns=FACT_KEY)], ignore_index=True)
            in_scope = count_in_scope(con, "fct_indicator_value", batch.full_refresh_scope)
            result.rows_deleted += delete_missing_in_scope(con, "fct_indicator_value", keep.dropna(), FACT_KEY,
                                                           batch.full_refresh_scope)
            batch.deletion_guard.check_deleted(result.rows_deleted, in_scope, what)
        result.rows_quarantined = record_quarantine(con, load_id, batch.source, "fct_indicator_value",
                                                    batch.quarantined)
        record_snapshots(con, load_id, batch.snapshots)
        result.requests_made, result.snapshot_ids = batch.requests_made, [s.snapshot_id for s in batch.snapshots]
        record_success(con, batch.source, load_id, full=batch.mode in ("full", "offline") and not batch.partial,
                       new_cursor=batch.new_cursor, scope_fingerprint=batch.scope_fingerprint)
    return result


def record_quarantine(con, load_id: int, source: str, target_table: str, rows: pd.DataFrame) -> int:
    """Failing rows with their `reason` (or a `record` column already holding the record) → meta.quarantine."""
    if rows.empty:
        return 0
    if "record" in rows.columns:
        records = [json.dumps(r, ensure_ascii=False, default=str) for r in rows["record"]]
    else:
        data = rows.drop(columns=["reason"])
        data = data.astype(object).where(data.notna(), None)
        records = [json.dumps(r, ensure_ascii=False, default=str) for r in data.to_dict("records")]
    frame = pd.DataFrame({"load_id": load_id, "source": source, "target_table": target_table,
                          "reason": rows["reason"].astype(str).to_numpy(), "record": records})
    # the same record already waiting in the quarantine (an unchanged file ingested again) is not added twice
    with registered(con, _quarantine=frame):
        run_sql(con, "INSERT INTO meta.quarantine (quarantine_id, load_id, source, target_table, reason, record, "
                     "quarantined_at, record_key) "
                     "SELECT nextval('meta.quarantine_id_seq'), load_id, source, target_table, reason, record::JSON, "
                     "now(), key FROM (SELECT DISTINCT ON (key) *, sha256(source || '|' || target_table || '|' || "
                     "record::JSON::VARCHAR) AS key FROM _quarantine) q "
                     "WHERE NOT EXISTS (SELECT 1 FROM meta.quarantine o WHERE o.record_key = q.key "
                     "AND NOT o.resolved)")
    return len(frame)


def record_snapshots(con, load_id: int, snapshots: list[Snapshot]) -> None:
    if not snapshots:
        return
    frame = pd.DataFrame([{
        "snapshot_id": s.snapshot_id, "load_id": load_id, "source": s.source, "url": s.url,
        "params": json.dumps(s.params), "fetched_at": s.fetched_at or None, "http_status": s.status,
        "content_type": s.content_type, "n_bytes": s.n_bytes, "is_synthetic": bool(s.synthetic)} for s in snapshots])
    with registered(con, _snapshots=frame):
        run_sql(con, "INSERT INTO meta.raw_snapshot BY NAME SELECT snapshot_id, load_id, source, url, "
                     "params::JSON AS params, fetched_at::TIMESTAMP AS fetched_at, http_status, content_type, n_bytes, "
                     "is_synthetic FROM _snapshots")


def record_success(con, source: str, load_id: int, full: bool, new_cursor: date | None = None,
                   scope_fingerprint: str | None = None) -> None:
    run_sql(con,
        "INSERT INTO meta.source_state (source, cursor_from_date, last_full_refresh_at, last_success_at, last_load_id, "
        "scope_fingerprint) VALUES (?, ?, CASE WHEN ? THEN now() END, now(), ?, ?) "
        "ON CONFLICT (source) DO UPDATE SET cursor_from_date = coalesce(excluded.cursor_from_date, cursor_from_date), "
        "last_full_refresh_at = coalesce(excluded.last_full_refresh_at, last_full_refresh_at), "
        "last_success_at = excluded.last_success_at, last_load_id = excluded.last_load_id, "
        "scope_fingerprint = coalesce(excluded.scope_fingerprint, scope_fingerprint)",
        [source, new_cursor, full, load_id, scope_fingerprint])


def record_scope(con, source: str, scope_fingerprint: str) -> bool:
    """The scope (region) the source now loads; when it differs from the recorded one, `scope_changed_at` moves to
    now, so every table's earlier loads count as another scope's (warehouse/state.py `table_loaded_at`). True when
    the scope changed."""
    rows = run_sql(con, "SELECT scope_fingerprint FROM meta.source_state WHERE source = ?", [source])
    if rows and rows[0][0] == scope_fingerprint:
        return False
    run_sql(con, "INSERT INTO meta.source_state (source, scope_fingerprint, scope_changed_at) VALUES (?, ?, now()) "
                 "ON CONFLICT (source) DO UPDATE SET scope_fingerprint = excluded.scope_fingerprint, "
                 "scope_changed_at = excluded.scope_changed_at", [source, scope_fingerprint])
    return bool(rows)


def record_failure(con: duckdb.DuckDBPyConnection, source: str, run_id: str, mode: str, reason: str,
                   load_id: int | None = None, dataset: str | None = None) -> None:
    """Record a failed batch in its own transaction (the data transaction was rolled back)."""
    load_id = load_id or next_load_id(con)
    run_sql(con, "INSERT INTO meta.load_batch (load_id, run_id, source, mode, started_at, finished_at, status, "
                "message, dataset) VALUES (?, ?, ?, ?, now(), now(), 'failed', ?, ?)",
            [load_id, run_id, source, mode, reason[:2000], dataset])
    run_sql(con, "INSERT INTO meta.source_state (source, last_failure_at, last_failure_reason) VALUES (?, now(), ?) "
                "ON CONFLICT (source) DO UPDATE SET last_failure_at = excluded.last_failure_at, "
                "last_failure_reason = excluded.last_failure_reason", [source, reason[:2000]])
