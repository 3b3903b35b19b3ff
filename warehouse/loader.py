"""The one loader: a batch goes into the warehouse in a single transaction, or not at all.

A batch is the rows a flow has conformed and validated, per target table. How each table is written — its grain,
merge / SCD2 / replace, which columns count as a change, the suite its rows must have passed — is declared once in
schemas/tables.yaml; this module reads the declaration and applies the write primitives of warehouse/merge.py. So
re-loading the same snapshot writes nothing, and a table's rules never differ between the flows that write it.

Deletions come two ways: explicit (Kolada's `isdeleted`) and, on a full refresh, every row inside the requested
scope that the source no longer serves — within the catalogue's `DeletionGuard`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from core.records import LoadMode, Snapshot
from warehouse.db import run_sql
from warehouse.merge import (
    MergeCounts,
    count_in_scope,
    delete_keys,
    delete_missing_in_scope,
    merge_frame,
    replace_for_keys,
    scd2_changes,
    scd2_new_versions,
)
from warehouse.meta import BatchResult, batch_transaction, record_quarantine, record_snapshots, record_success
from warehouse.tables import TableSpec, spec, table_specs

FACT_KEY = spec("fct_indicator_value").key


class MassDeletionRefused(RuntimeError):
    """A full refresh would delete more than the catalogue allows, or received far fewer rows than the last one in
    the same scope — what an upstream outage answering 200 with nothing looks like. Nothing was loaded; `sydstat run
    --allow-deletions` (or a catalogue change) lets it through."""


class Unvalidated(RuntimeError):
    """A batch sent rows for a table whose declared suite it did not say they passed: nothing was loaded. Every
    load passes validation; this is the gate that makes sure no flow can skip it."""


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
            f"really shrank, run again with --allow-deletions"
        )

    def check_deleted(self, deleted: int, in_scope: int, what: str) -> None:
        if self.allowed or not deleted or deleted <= self.max_delete_share * in_scope:
            return
        raise MassDeletionRefused(
            f"{what}: would delete {deleted} of the {in_scope} rows in its scope ({deleted / in_scope:.1%}, more "
            f"than the {self.max_delete_share:.0%} allowed) — nothing loaded; if the source really removed them, "
            f"run again with --allow-deletions"
        )


@dataclass
class Batch:
    """Everything one source batch loads, already validated: built by a flow, applied by `load_batch`."""

    source: str  # the source whose state the batch moves ('kolada', 'scb', 'fohm', 'registers')
    mode: LoadMode | str
    run_id: str
    source_rows: list[dict]  # dim_source rows (attribution, licence) of what was read
    tables: dict[str, pd.DataFrame]  # target table → rows; written in schemas/tables.yaml order
    validated: set[str] = field(default_factory=set)  # the suites these rows passed (warehouse/validate.py)
    deletions: dict[str, pd.DataFrame] = field(default_factory=dict)  # table → keys the source deleted
    quarantined: pd.DataFrame | None = None  # rows kept out, with their `reason`
    quarantine_table: str = "fct_indicator_value"  # the table the quarantined rows were meant for
    full_refresh_scope: dict[str, list] | None = None  # column → values: a full refresh of this scope
    snapshots: list[Snapshot] = field(default_factory=list)
    rows_received: int = 0
    requests_made: int = 0
    new_cursor: date | None = None
    scope_fingerprint: str | None = None
    dataset: str | None = None  # the table or file of the source the batch loads
    partial: bool = False  # some of the source's chunks failed: not a complete full refresh, whatever the mode
    deletion_guard: DeletionGuard = field(default_factory=DeletionGuard)

    @property
    def what(self) -> str:
        return f"{self.source} {self.dataset or 'batch'}"


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> BatchResult:
    """Apply a batch atomically (warehouse/meta.py `batch_transaction`). A table the batch writes must be declared
    in schemas/tables.yaml, and its rows must have passed the declared suite (else `Unvalidated`). A full refresh
    outside its `deletion_guard` is refused (MassDeletionRefused) and rolled back: nothing of it is loaded."""
    specs = table_specs()
    for table, rows in batch.tables.items():
        declared = spec(table)
        if declared.suite and len(rows) and declared.suite not in batch.validated:
            raise Unvalidated(f"{batch.what}: rows for {table} did not pass suite {declared.suite!r}")
    if batch.full_refresh_scope and not batch.partial:
        batch.deletion_guard.check_received(batch.rows_received, batch.what)
    with batch_transaction(con, batch.source, batch.mode, batch.run_id, batch.rows_received, batch.dataset) as result:
        for row in batch.source_rows:
            merge_frame(
                con,
                "dim_source",
                pd.DataFrame([row]),
                ["source"],
                compare=spec("dim_source").compare_columns(list(row)),
            )
        frames = _with_derived(batch, result.load_id)
        counts, changed, new_keys = MergeCounts(), set(), {}
        for name, declared in specs.items():
            if name in frames:
                written = _write(con, declared, frames[name], new_keys)
                if declared.counted:
                    counts += written
                if written.inserted or written.updated:
                    changed.add(name)
        for declared in specs.values():  # derived columns, once every table is written
            if declared.refresh and changed & set(declared.refresh["after"]):
                REFRESHES[declared.refresh["by"]](con)
        result.rows_inserted, result.rows_updated = counts.inserted, counts.updated
        result.rows_deleted = _deletions(con, batch, frames)
        result.rows_quarantined = record_quarantine(
            con, result.load_id, batch.source, batch.quarantine_table, batch.quarantined
        )
        record_snapshots(con, result.load_id, batch.snapshots)
        result.requests_made, result.snapshot_ids = batch.requests_made, [s.snapshot_id for s in batch.snapshots]
        full = batch.mode in (LoadMode.FULL, LoadMode.OFFLINE) and not batch.partial
        record_success(
            con,
            batch.source,
            result.load_id,
            full=full,
            new_cursor=batch.new_cursor,
            scope_fingerprint=batch.scope_fingerprint,
        )
    return result


def _with_derived(batch: Batch, load_id: int) -> dict[str, pd.DataFrame]:
    """The batch's frames as they are written: stamped with the load id, held to the declared columns, and with
    the tables the loader derives (dim_period from the facts' periods) added."""
    frames = {}
    for name, frame in batch.tables.items():
        declared = spec(name)
        if declared.load_id:
            frame = frame.assign(load_id=load_id)
        if declared.columns:
            frame = frame.reindex(
                columns=declared.columns
                + (["load_id"] if declared.load_id and "load_id" not in declared.columns else [])
            )
        frames[name] = frame
    for name, declared in table_specs().items():
        if declared.derived and set(declared.derived["from"]) & (set(frames) | set(batch.deletions)):
            sources = [frames.get(t) for t in declared.derived["from"]] + [
                batch.deletions.get(t) for t in declared.derived["from"]
            ]
            frames[name] = DERIVATIONS[declared.derived["by"]]([f for f in sources if f is not None])
    return frames


def _write(con, declared: TableSpec, frame: pd.DataFrame, new_keys: dict[str, pd.DataFrame]) -> MergeCounts:
    """One table, the way schemas/tables.yaml says. `new_keys` collects the new-or-changed keys of SCD2 parents
    for the tables that `follow` them."""
    if declared.follows:
        keys = new_keys.get(declared.follows)
        if keys is None or keys.empty:
            return MergeCounts()
        if declared.write == "scd2":
            scd2_new_versions(con, declared.name, frame, keys, declared.key)
        else:
            replace_for_keys(con, declared.name, frame, keys, declared.key)
        return MergeCounts()
    if declared.write == "scd2":
        keys = scd2_changes(con, declared.name, frame, declared.key, declared.change)
        new_keys[declared.name] = keys
        if not keys.empty:
            scd2_new_versions(con, declared.name, frame, keys, declared.key)
        return MergeCounts(int((~keys.existed).sum()), int(keys.existed.sum()))
    return merge_frame(con, declared.name, frame, declared.key, compare=declared.compare_columns(list(frame.columns)))


def _deletions(con, batch: Batch, frames: dict[str, pd.DataFrame]) -> int:
    """Explicit deletions, then a full refresh's: the rows in scope the source no longer serves (the quarantined
    keys are kept: a value that failed its checks is not a value the source removed)."""
    deleted = sum(delete_keys(con, t, keys, spec(t).key) for t, keys in batch.deletions.items())
    if not batch.full_refresh_scope:
        return deleted
    for name, frame in frames.items():
        declared = spec(name)
        if not declared.full_refresh:
            continue
        quarantined = batch.quarantined if batch.quarantined is not None else pd.DataFrame()
        keep = pd.concat([frame[declared.key], quarantined.reindex(columns=declared.key)], ignore_index=True)
        in_scope = count_in_scope(con, name, batch.full_refresh_scope)
        deleted += delete_missing_in_scope(con, name, keep.dropna(), declared.key, batch.full_refresh_scope)
        batch.deletion_guard.check_deleted(deleted, in_scope, batch.what)
    return deleted


def periods_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """dim_period rows for the periods of `frames`: yearly ('2024') and spans ('2019-2022')."""
    periods = pd.concat([f["period"] for f in frames if "period" in f], ignore_index=True) if frames else []
    rows = []
    for period in sorted(set(pd.Series(periods, dtype="object").dropna().astype(str))):
        first, _, last = period.partition("-")
        start, end = int(first), int(last or first)
        rows.append(
            {
                "period": period,
                "year": end,
                "period_start": date(start, 1, 1),
                "period_end": date(end, 12, 31),
                "period_type": "span" if last else "year",
            }
        )
    return pd.DataFrame(rows, columns=["period", "year", "period_start", "period_end", "period_type"])


def refresh_area_years(con: duckdb.DuckDBPyConnection) -> None:
    """dim_area.first_year / last_year: the years any loaded area table has figures for the area (off-grid cells
    are never loaded, so these are the years the area is in use)."""
    run_sql(
        con,
        "UPDATE dim_area d SET first_year = y.first_year, last_year = y.last_year FROM ("
        "SELECT area_code, min(year) AS first_year, max(year) AS last_year FROM ("
        "SELECT area_code, year FROM fct_area_population UNION ALL SELECT area_code, year FROM fct_area_type"
        ") GROUP BY area_code) y WHERE y.area_code = d.area_code "
        "AND (d.first_year IS DISTINCT FROM y.first_year OR d.last_year IS DISTINCT FROM y.last_year)",
    )


DERIVATIONS = {"periods": periods_frame}  # schemas/tables.yaml `derived: {by: …}`
REFRESHES = {"area_years": refresh_area_years}  # schemas/tables.yaml `refresh: {by: …}`
