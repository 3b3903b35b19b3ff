"""PxWeb tables, for every PxWeb source: one extractor (metadata → selection → split queries, archived) for area and
indicator tables, the per-table loop (`ingest_tables`: each table its own batch, a failing table never stops the
others), and the loader of indicator tables (Folkhälsodata, SCB's municipal tables) into fct_indicator_value through
the same validation suite and loader as Kolada. SCB's area tables load in flows/scb.py.

Every PxWeb load also writes a batch manifest (the table, the regions asked for, the snapshot ids of its answers), so
`sydstat run --offline --source scb|fohm` rebuilds the same rows from the raw archive without a network."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from prefect import get_run_logger

from core.catalog import source_row
from core.records import LoadMode, Snapshot
from flows.common import deletion_guard, validate_task
from flows.publish import SourceRun, emit_loaded
from sources.pxweb import PxWebClient, table_ref, table_selection
from sources.snapshots import SnapshotArchive
from transforms import pxweb_indicators as tpi
from transforms.pxweb import jsonstat2_frame
from warehouse.loader import Batch, load_batch
from warehouse.lookups import geography_codes
from warehouse.meta import BatchResult, record_failure, record_scope
from warehouse.state import table_loaded_at


@dataclass
class TableExtract:
    """The answers for one PxWeb table: cells (with the snapshot id of each), the regions asked for, provenance."""

    table_ref: str
    cells: pd.DataFrame
    regions: list[str]
    snapshots: list[Snapshot]


def extract_table(client: PxWebClient, table: dict, choose_regions, first_year: int | None = None) -> TableExtract:
    """Fetch (split, archived) what `table_selection` asks for."""
    ref = table_ref(table)
    variables, _ = client.metadata(ref)
    selection = table_selection(variables, table, choose_regions, first_year)
    results = client.query(ref, selection)
    cells = pd.concat(
        [jsonstat2_frame(r.payload).assign(snapshot_id=r.snapshot_id) for r in results], ignore_index=True
    )
    ids = {r.snapshot_id for r in results}
    return TableExtract(ref, cells, selection["Region"], [s for s in client.http.snapshots if s.snapshot_id in ids])


def write_table_manifest(archive: SnapshotArchive, source: str, ex: TableExtract, load_id: int | None) -> None:
    archive.write_batch_manifest(
        source,
        f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{load_id or 0:06d}-{ex.table_ref.replace('/', '_')}",
        {
            "load_id": load_id,
            "created_at": datetime.now(UTC).isoformat(),
            "table": ex.table_ref,
            "regions": ex.regions,
            "snapshots": [s.snapshot_id for s in ex.snapshots],
        },
    )


def table_from_archive(archive: SnapshotArchive, source: str, table: dict) -> TableExtract:
    """The last archived load of `table`, as if it had just been fetched."""
    ref = table_ref(table)
    manifests = [m for m in archive.batch_manifests(source) if m.get("table") == ref]
    if not manifests:
        raise FileNotFoundError(
            f"no archived {source} batch for table {ref} under {archive.raw_dir / source}; run online once first"
        )
    manifest = manifests[-1]
    frames = [
        jsonstat2_frame(json.loads(archive.read(source, sid).decode("utf-8-sig"))).assign(snapshot_id=sid)
        for sid in manifest["snapshots"]
    ]
    return TableExtract(
        ref,
        pd.concat(frames, ignore_index=True),
        manifest["regions"],
        [Snapshot(**archive.provenance(source, sid)) for sid in manifest["snapshots"]],
    )


def ingest_tables(
    run: SourceRun,
    client: PxWebClient,
    archive: SnapshotArchive,
    tables: list[dict],
    load,
    choose_regions,
    summary: dict,
    full: bool = False,
    offline: bool = False,
    first_year: int | None = None,
    scope: str | None = None,
) -> None:
    """Each catalogued table as a batch of its own: (offline: from the archive | changed or never loaded: extract)
    → `load(run, ex, table, mode)` → batch manifest → `sydstat.source.loaded`. A table that has not changed since
    its own last load is not downloaded. A table that fails — a 404, a code the catalogue does not know, a total that
    does not add up — is recorded in meta.load_batch with its reason and in `run.failures`; the others go on.
    `scope`: the region's fingerprint; a new one makes every table's earlier loads another scope's, so each is
    downloaded again (a new region is a new scope)."""
    logger = get_run_logger()
    if scope is not None and not offline and record_scope(run.con, run.source, scope):
        logger.info("%s: the region changed: every table is downloaded again for the new scope", run.source)
    loaded = []
    for table in tables:
        ref, mode = table_ref(table), LoadMode.asked(full, offline)
        try:
            since = None if full or offline else table_loaded_at(run.con, run.source, ref)
            if offline:
                ex = table_from_archive(archive, run.source, table)
            elif since is None or client.changed_since(ref, since.replace(tzinfo=UTC)):
                ex, mode = (
                    extract_table(client, table, choose_regions(table), first_year),
                    LoadMode.FULL if since is None else LoadMode.INCREMENTAL,
                )
            else:
                logger.info("%s: %s unchanged since %s — not downloaded", run.source, ref, since)
                summary["batches"].append(
                    {
                        **BatchResult(None, run.source, "unchanged", dataset=ref).__dict__,
                        "mode": LoadMode.INCREMENTAL,
                        "requests": client.http.requests_made,
                    }
                )
                continue
            logger.info(
                "%s: %s: %d cells for %d regions (%d requests so far)",
                run.source,
                ref,
                len(ex.cells),
                len(ex.regions),
                client.http.requests_made,
            )
            run.mode = mode
            result = load(run, ex, table, mode)
        except Exception as exc:  # this table only: recorded, named at the end of the run, the others go on
            reason = f"{type(exc).__name__}: {exc}"
            logger.error("%s: table %s failed: %s", run.source, ref, reason)
            record_failure(run.con, run.source, run.run_id, mode, reason, dataset=ref)
            run.failures.append({"table": ref, "reason": reason})
            continue
        result.requests_made = client.http.requests_made
        if not offline:
            write_table_manifest(archive, run.source, ex, result.load_id)
        loaded.append(result)
        summary["batches"].append({**result.__dict__, "mode": f"{mode} {ref}", "requests": client.http.requests_made})
    summary["failed"] = run.failures
    emit_loaded(run.source, run.run_id, loaded)


def load_indicator_table(
    run: SourceRun, ex: TableExtract, table: dict, run_id: str, mode: str, requests_made: int
) -> BatchResult:
    source = run.source
    indicators = tpi.indicators_frame(table, source)
    values = tpi.values_frame(ex.cells, table, source)
    outcome = validate_task(
        "indicator_values",
        values,
        {
            "known_municipality_codes": geography_codes(run.con),
            "known_indicator_ids": indicators.indicator_id.tolist(),
            "max_year": 2100,
        },
        run.settings,
    )
    if not outcome.ok:
        raise ValueError(f"{ex.table_ref}: " + "; ".join(outcome.critical_failures))
    survey = [c for c in ("ci_low", "ci_high", "respondents") if c in values]  # survey tables only
    batch = Batch(
        source=source,
        mode=mode,
        run_id=run_id,
        source_rows=[source_row(source, ex.snapshots)],
        tables={
            "dim_indicator": indicators,
            "fct_indicator_value": outcome.valid[
                [
                    "indicator_id",
                    "municipality_code",
                    "period",
                    "sex",
                    "value",
                    "status",
                    "source",
                    "snapshot_id",
                    *survey,
                ]
            ],
        },
        validated={outcome.suite},
        quarantined=outcome.quarantined,
        snapshots=ex.snapshots,
        rows_received=len(values),
        requests_made=requests_made,
        dataset=ex.table_ref,
        full_refresh_scope={
            "source": [source],
            "indicator_id": indicators.indicator_id.tolist(),
            "municipality_code": ex.regions,
        },
        deletion_guard=deletion_guard(run.con, source, ex.table_ref, run.allow_deletions),
    )
    return load_batch(run.con, batch)
